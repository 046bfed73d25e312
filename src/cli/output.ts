import type { ScanSummary } from '../scan/scan-job.js';

const LEVEL_ORDER = ['critical', 'high', 'medium', 'low', 'informational'];

/** The short console summary of one scan. */
export function formatScanSummary(summary: ScanSummary): string {
  const { verdict } = summary;
  const lines: string[] = [];
  const what = verdict.worms
    .map(
      (assessment) =>
        `${assessment.worm}${assessment.variants.length ? ` ${assessment.variants.join('/')}` : ''}${assessment.state === 'infected' ? '' : ` ${assessment.state}`}, ${assessment.confidence}`,
    )
    .join('; ');
  lines.push(`host ${summary.host}: ${verdict.verdict.toUpperCase()}${what ? ` — ${what}` : ''}`);
  if (summary.system) lines.push(`  system: ${summary.system}`);
  for (const reason of verdict.reasons.slice(0, 8)) lines.push(`  because: ${reason.text}`);
  for (const caveat of verdict.caveats) lines.push(`  caveat: ${caveat}`);
  const byLevel = LEVEL_ORDER.map(
    (level) => [level, summary.findingLines.filter((line) => line.level === level).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([level, count]) => `${count} ${level}`);
  lines.push(`findings: ${summary.findings}${byLevel.length ? ` (${byLevel.join(', ')})` : ''}`);
  for (const finding of summary.findingLines.slice(0, 15)) {
    lines.push(
      `  [${finding.level}] ${finding.ruleId}: ${finding.title} (${finding.count} record${finding.count === 1 ? '' : 's'}; ${finding.catalog.join(', ')})`,
    );
  }
  if (summary.findingLines.length > 15)
    lines.push(`  ... ${summary.findingLines.length - 15} more in findings.json`);
  const { artifacts } = summary;
  lines.push(
    `artifacts: ${artifacts.found} found, ${artifacts.parsed} parsed, ${artifacts.failed} failed, ${artifacts.notParsed} not parsed (see inventory.json)`,
  );
  lines.push(
    `timeline: ${summary.timelineRows} rows -> ${summary.outDir}/timeline.csv, timeline.jsonl; findings.json; inventory.json`,
  );
  return `${lines.join('\n')}\n`;
}

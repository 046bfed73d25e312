/**
 * The per-host verdict (domain README, "The verdict a host gets"), from the host's findings and the
 * artifact families that were present to look at. Only findings whose rule says `diagnostic:
 * infection` can make a host infected or cleaned; `attack` findings make it attacked, `exposure`
 * findings exposed; `corroborative` findings are reported, never decisive.
 *
 * Per worm:
 * - infected, confirmed: a binary with a known hash, or a binary and persistence (Run value / service);
 * - infected, likely: persistence or a binary alone;
 * - cleaned (past infection): remnants only (deleted binary, prefetch, Welchia's patch download,
 *   infection events) — persistence and binary are gone;
 * - infected, possible: network behaviour only.
 * The host takes the strongest worm state; then attacked > exposed > clean.
 */
import type { Finding, Worm } from './types.js';

export type VerdictClass = 'infected' | 'cleaned' | 'attacked' | 'exposed' | 'clean';
export type VerdictConfidence = 'confirmed' | 'likely' | 'possible';

export interface VerdictReason {
  findingId: string;
  ruleId: string;
  text: string;
}

export interface WormAssessment {
  worm: Worm;
  state: 'infected' | 'cleaned';
  confidence: VerdictConfidence;
  /** Variants named by the findings behind this state (empty when none is specific). */
  variants: string[];
  reasons: VerdictReason[];
}

export interface HostVerdict {
  verdict: VerdictClass;
  /** The worm behind an infected/cleaned verdict (the strongest one when several). */
  worm?: Worm;
  /** Set when exactly one variant is named; `variants` lists them all. */
  variant?: string;
  variants: string[];
  confidence?: VerdictConfidence;
  /** Every worm with infection traces (Blaster and Welchia can both be present). */
  worms: WormAssessment[];
  reasons: VerdictReason[];
  caveats: string[];
}

/** Artifact families (Provenance.artifact values) by what they let the verdict see. */
const fileSystemFamilies = ['bodyfile', 'ntfs', 'fat', 'mft', 'file-listing'];
const eventLogFamilies = ['evt', 'evtx'];

const confidenceRank: Record<VerdictConfidence, number> = { confirmed: 3, likely: 2, possible: 1 };

function reasonOf(f: Finding): VerdictReason {
  const example = f.supporting[0];
  const group = f.group
    ? ` [${Object.entries(f.group)
        .map(([k, v]) => `${k}=${v}`)
        .join(', ')}]`
    : '';
  const count =
    f.peak !== undefined ? `peak ${f.peak} in a window, ${f.count} record(s)` : `${f.count} record(s)`;
  return {
    findingId: f.id,
    ruleId: f.ruleId,
    text: `${f.title} (${f.catalog.join(', ')})${group}: ${count}${example ? `, e.g. ${example.summary}` : ''}`,
  };
}

function assess(worm: Worm, findings: readonly Finding[]): WormAssessment | undefined {
  const of = (...evidence: string[]) => findings.filter((f) => evidence.includes(f.evidence));
  const hash = of('hash');
  const binary = of('binary');
  const persistence = of('persistence', 'service');
  const remnant = of('remnant', 'event');
  const network = of('network');
  let state: WormAssessment['state'];
  let confidence: VerdictConfidence;
  let basis: Finding[];
  if (hash.length > 0 || (binary.length > 0 && persistence.length > 0)) {
    state = 'infected';
    confidence = 'confirmed';
    basis = [...hash, ...binary, ...persistence];
  } else if (binary.length > 0 || persistence.length > 0) {
    state = 'infected';
    confidence = 'likely';
    basis = [...binary, ...persistence];
  } else if (remnant.length > 0) {
    state = 'cleaned';
    confidence = remnant.some((f) => f.confidence !== 'L') ? 'likely' : 'possible';
    basis = remnant;
  } else if (network.length > 0) {
    state = 'infected';
    confidence = 'possible';
    basis = network;
  } else return undefined;
  const variants = [...new Set(basis.map((f) => f.variant).filter((v): v is string => v !== null))].sort();
  const rest = findings.filter((f) => !basis.includes(f));
  return { worm, state, confidence, variants, reasons: [...basis, ...rest].map(reasonOf) };
}

function strength(a: WormAssessment): number {
  return (
    (a.state === 'infected' ? 10 : 0) +
    (a.state === 'infected' && a.confidence === 'possible' ? -5 : 0) +
    confidenceRank[a.confidence]
  );
}

/** Verdict for one host. `findings` may include other hosts' findings: only `host`'s are used when given. */
export function computeVerdict(
  findings: readonly Finding[],
  artifacts: readonly string[],
  host?: string,
): HostVerdict {
  const mine = host === undefined ? findings : findings.filter((f) => f.host === host);
  const present = new Set(artifacts.map((a) => a.toLowerCase()));
  const has = (families: string[]) => families.some((f) => present.has(f));
  const infection = mine.filter((f) => f.diagnostic === 'infection');
  const worms: WormAssessment[] = [];
  for (const worm of ['blaster', 'welchia', 'generic'] as const) {
    const a = assess(
      worm,
      infection.filter((f) => f.worm === worm),
    );
    if (a) worms.push(a);
  }
  // A generic trace (e.g. a TFTP listener) next to a named worm belongs to that worm's story.
  const named = worms.filter((w) => w.worm !== 'generic');
  const generic = worms.find((w) => w.worm === 'generic');
  if (generic && named.length > 0 && generic.confidence === 'possible' && generic.state === 'infected') {
    worms.splice(worms.indexOf(generic), 1);
    named[0]!.reasons.push(...generic.reasons);
  }
  worms.sort((a, b) => strength(b) - strength(a));
  const attack = mine.filter((f) => f.diagnostic === 'attack');
  const exposure = mine.filter((f) => f.diagnostic === 'exposure');
  const corroborative = mine.filter((f) => f.diagnostic === 'corroborative');
  const caveats: string[] = [];

  let verdict: VerdictClass;
  const out: Partial<HostVerdict> = {};
  const primary = worms[0];
  if (primary) {
    verdict = primary.state;
    out.worm = primary.worm;
    out.confidence = primary.confidence;
    out.variants = primary.variants;
    if (primary.variants.length === 1) out.variant = primary.variants[0]!;
    if (primary.variants.length > 1)
      caveats.push(
        `several ${primary.worm} variants are named by the evidence: ${primary.variants.join(', ')}`,
      );
  } else if (attack.length > 0) verdict = 'attacked';
  else if (exposure.length > 0) verdict = 'exposed';
  else verdict = 'clean';

  const reasons: VerdictReason[] = [
    ...worms.flatMap((w) => w.reasons),
    ...attack.map(reasonOf),
    ...exposure.map(reasonOf),
    ...corroborative.map(reasonOf),
  ];

  // What could not be looked at.
  if (!has(fileSystemFamilies))
    caveats.push(
      'no file system listing was present: worm binaries, prefetch files and TFTP leftovers were not checked',
    );
  if (!present.has('registry'))
    caveats.push(
      'no registry hive was present: Run values, Welchia services and the patch state (KB823980/KB824146, EnableDCOM, firewall) were not checked',
    );
  if (!has(eventLogFamilies))
    caveats.push(
      `no System event log was present: RPC service crashes (event 7031) were not checked${
        verdict === 'clean' || verdict === 'exposed' ? '; a clean verdict is weaker' : ''
      }`,
    );
  if (!present.has('firewall-log'))
    caveats.push(
      'no firewall log was present: TCP 135 sweeps, ICMP sweeps and TFTP transfers were not checked',
    );
  if ((verdict === 'clean' || verdict === 'exposed') && !present.has('netstat'))
    caveats.push(
      'no captured netstat was present: live listeners (TCP 4444, UDP 69, 666-765) were not checked',
    );

  // What the evidence itself leaves open.
  const blaster = worms.find((w) => w.worm === 'blaster');
  const blasterPersistenceOnly =
    blaster?.state === 'infected' &&
    blaster.confidence === 'likely' &&
    !infection.some((f) => f.worm === 'blaster' && f.evidence === 'binary');
  if (blasterPersistenceOnly && has(fileSystemFamilies))
    caveats.push(
      `Blaster persistence without its binary: the file may have been removed${
        worms.some((w) => w.worm === 'welchia') ? ' by Welchia, which deletes msblast.exe (WEA-F4)' : ''
      }`,
    );
  if (primary?.state === 'infected' && primary.confidence === 'possible')
    caveats.push(
      'network behaviour only: no binary or persistence was found to confirm an infection on this host',
    );
  if (verdict === 'cleaned')
    caveats.push(
      'traces of a past infection remain but no binary or persistence: check whether the host was cleaned or reinstalled',
    );
  if (worms.some((w) => w.worm === 'welchia') && verdict !== 'infected')
    caveats.push(
      'Welchia removes itself and its services in 2004: absence of persistence does not prove it never ran',
    );
  if (verdict === 'clean' && corroborative.length > 0)
    caveats.push(`corroborative traces need a look: ${corroborative.map((f) => f.ruleId).join(', ')}`);

  const result: HostVerdict = { verdict, variants: out.variants ?? [], worms, reasons, caveats };
  if (out.worm !== undefined) result.worm = out.worm;
  if (out.variant !== undefined) result.variant = out.variant;
  if (out.confidence !== undefined) result.confidence = out.confidence;
  return result;
}

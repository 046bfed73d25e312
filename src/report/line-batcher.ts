/** Where batched text goes: resolves when the sink can take more (bounded memory). */
export interface TextSink {
  write(text: string): Promise<void>;
}

/**
 * Gathers short lines and hands them to a sink about a megabyte at a time: one awaited write
 * per line costs more than rendering the line. `flush()` after the last line.
 */
export class LineBatcher {
  private parts: string[] = [];
  private chars = 0;
  constructor(private readonly sink: TextSink) {}

  async write(line: string): Promise<void> {
    this.parts.push(line);
    this.chars += line.length;
    if (this.chars >= 1024 * 1024) await this.flush();
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.chars = 0;
    await this.sink.write(text);
  }
}

/** Standard output as a sink: waits for 'drain' when its buffer is full. */
export const stdoutSink: TextSink = {
  async write(text) {
    if (!process.stdout.write(text)) await new Promise((resolve) => process.stdout.once('drain', resolve));
  },
};

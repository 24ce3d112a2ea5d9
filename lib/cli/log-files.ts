import * as fs from 'fs';
import * as path from 'path';
import type { LogSource } from '../local/emulator/emulator';

/**
 * Where a quiet run puts what it does not print: each function's lines in
 * `<dir>/<function>.log`, the emulator's own in `<dir>/emulator.log`. Files are truncated when
 * the run starts, so they hold this run only; writes are appended in order through one stream
 * per file.
 */
export class LogFiles {
  private readonly streams = new Map<string, fs.WriteStream>();

  constructor(readonly dir: string) {
    fs.mkdirSync(dir, { recursive: true });
  }

  /** The file a function's lines go to. */
  fileOf(functionName?: string): string {
    return path.join(this.dir, `${(functionName ?? 'emulator').replace(/[^A-Za-z0-9._-]/g, '_')}.log`);
  }

  write(line: string, source?: LogSource): void {
    const file = this.fileOf(source?.functionName);
    let stream = this.streams.get(file);
    if (!stream) {
      stream = fs.createWriteStream(file, { flags: 'w' });
      this.streams.set(file, stream);
    }
    stream.write(`${line}\n`);
  }

  /** Flushes and closes every file. */
  async close(): Promise<void> {
    await Promise.all([...this.streams.values()].map((s) => new Promise<void>((resolve) => s.end(resolve))));
    this.streams.clear();
  }
}

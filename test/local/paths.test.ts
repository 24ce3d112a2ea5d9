import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { memoryDataRoot } from '../../lib/local/services';

describe('memoryDataRoot', () => {
  test('a writable file system with room gives a per-user directory on it', () => {
    // GIVEN a writable directory with more than 512 MiB free
    const candidate = fs.mkdtempSync(path.join(os.tmpdir(), 'mem-root-'));
    try {
      const free = fs.statfsSync(candidate);
      if (free.bavail * free.bsize < 512 * 1024 * 1024) throw new Error(`test needs 512 MiB free in ${candidate}`);
      // WHEN it is the candidate
      // THEN the data root is a per-user directory under it
      expect(memoryDataRoot(candidate)).toBe(path.join(candidate, `msk-pipelines-${os.userInfo().uid}`, 'data'));
    } finally {
      fs.rmSync(candidate, { recursive: true, force: true });
    }
  });

  test('a missing directory gives none, so the data stays under .local/data', () => {
    expect(memoryDataRoot(path.join(os.tmpdir(), 'no-such-dir', String(process.pid)))).toBeUndefined();
  });
});

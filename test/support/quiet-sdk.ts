import { silenceSdkNodeWarning } from '../../lib/local/sdk-node-warning';

// The test process is local mode too: no AWS SDK notice about the machine's Node.js version in test output.
silenceSdkNodeWarning();

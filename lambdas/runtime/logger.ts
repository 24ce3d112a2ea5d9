import { Logger } from '@aws-lambda-powertools/logger';
import { PowertoolsEnv } from './powertools-env';

/**
 * The one structured logger of a function container. Powertools reads
 * POWERTOOLS_SERVICE_NAME and POWERTOOLS_LOG_LEVEL itself; the fallback name keeps
 * local runs from logging "service_undefined".
 */
export const logger = new Logger({
  serviceName: process.env[PowertoolsEnv.POWERTOOLS_SERVICE_NAME] ?? 'msk-pipelines',
});

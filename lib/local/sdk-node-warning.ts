/**
 * The AWS SDK for JavaScript v3 warns, once per process and in seven lines, that its releases
 * after January 2027 need Node.js 22. Local mode runs on the Node.js of the machine (20 or
 * later), while the functions it emulates run on `nodejs22.x` on Lambda, where the warning does
 * not fire. The SDK's documented switch turns it off for the command line's process; an emulated
 * function's environment is its template's alone, so its worker drops the warning instead
 * (lib/local/emulator/function-worker.ts).
 * @see https://github.com/aws/aws-sdk-js-v3/issues/7983
 */
export const SDK_NODE_WARNING_OFF: Readonly<Record<string, string>> = { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' };

/** Turns the warning off in `env` (the process's by default), unless the user set the switch. */
export function silenceSdkNodeWarning(env: NodeJS.ProcessEnv = process.env): void {
  for (const [name, value] of Object.entries(SDK_NODE_WARNING_OFF)) env[name] ??= value;
}

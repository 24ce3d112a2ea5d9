#!/usr/bin/env -S npx tsx
import { App } from 'aws-cdk-lib';
import { appOptionsFromContext, buildApp } from '../lib/examples/app';

// Env-agnostic stacks: synth needs no credentials, lookups or Docker.
const app = new App();
buildApp(app, appOptionsFromContext(app));
app.synth();

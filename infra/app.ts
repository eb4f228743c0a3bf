#!/usr/bin/env -S npx tsx
import { createPortalApp } from '#infra/portalApp';

// `cdk synth` runs this file; the App synthesizes itself when the CLI's process exits.
createPortalApp();

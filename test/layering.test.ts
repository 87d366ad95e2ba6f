import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint({ cwd: new URL('..', import.meta.url).pathname });

async function layeringErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports').map((m) => m.message);
}

describe('layering is enforced by lint (BRIEF §2)', () => {
  const core = 'gateway-core/src/feature/thing.ts';
  const ui = 'renderer/src/features/thing/Thing.tsx';

  it('keeps Electron and React out of gateway-core', async () => {
    expect(await layeringErrors(core, "import { app } from 'electron';\nexport const a = app;\n")).toHaveLength(1);
    expect(await layeringErrors(core, "import { useState } from 'react';\nexport const s = useState;\n")).toHaveLength(1);
    expect(await layeringErrors(core, "import { x } from '../../../main/src/cli/gatehouse.js';\nexport const y = x;\n")).toHaveLength(1);
    expect(await layeringErrors(core, "import { readFile } from 'node:fs/promises';\nexport const r = readFile;\n")).toEqual([]);
  });

  it('keeps Node built-ins and gateway-core runtime out of the renderer', async () => {
    for (const mod of ['node:fs', 'fs', 'child_process', 'node:crypto', 'electron']) {
      expect(await layeringErrors(ui, `import * as m from '${mod}';\nexport const x = m;\n`), mod).toHaveLength(1);
    }
    expect(await layeringErrors(ui, "import { bridgeMethods } from '@gatehouse/gateway-core/contract';\nexport const m = bridgeMethods;\n")).toHaveLength(1);
    expect(await layeringErrors(ui, "import { startDemoGateway } from '@gatehouse/gateway-core';\nexport const s = startDemoGateway;\n")).toHaveLength(1);
    expect(await layeringErrors(ui, "import { x } from '../../../../gateway-core/src/masking/index.js';\nexport const y = x;\n")).toHaveLength(1);
  });

  it('lets the renderer import the contract as types', async () => {
    expect(await layeringErrors(ui, "import type { GatehouseBridge } from '@gatehouse/gateway-core/contract';\nexport type B = GatehouseBridge;\n")).toEqual([]);
  });
});

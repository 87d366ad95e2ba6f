// Bundled to CommonJS by scripts/build-preload.mjs: sandboxed preloads cannot load ESM or npm modules.
import { contextBridge, ipcRenderer } from 'electron';
import { createPreloadBridge } from './preload-bridge.js';

contextBridge.exposeInMainWorld('gatehouse', createPreloadBridge(ipcRenderer));

import { fileURLToPath } from 'node:url';
import { parseYamlDocument, readYamlFile } from '../config/parse-yaml-document.js';
import { PolicyDocument } from './policy-document.js';

/** The policy that ships with the app (app/policy/default-policy.yaml), used by the demo. */
export const DEFAULT_POLICY_PATH = fileURLToPath(new URL('../../../app/policy/default-policy.yaml', import.meta.url));

export function loadPolicyFile(path: string = DEFAULT_POLICY_PATH): PolicyDocument {
  return readYamlFile(path, PolicyDocument);
}

export function parsePolicyYaml(text: string, fileName = 'policy.yaml'): PolicyDocument {
  return parseYamlDocument(text, PolicyDocument, fileName);
}

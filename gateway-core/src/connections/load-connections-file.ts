import { ConfigError, parseYamlDocument, readYamlFile } from '../config/parse-yaml-document.js';
import { ConnectionsFile } from './connection-config.js';

export { ConfigError };

export function loadConnectionsFile(path: string): ConnectionsFile {
  return readYamlFile(path, ConnectionsFile);
}

export function parseConnectionsYaml(text: string, fileName = 'connections.yaml'): ConnectionsFile {
  return parseYamlDocument(text, ConnectionsFile, fileName);
}

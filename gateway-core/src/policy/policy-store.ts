import type { PolicyDocument } from './policy-document.js';

/**
 * The policy in force. Only whole, validated documents are swapped in, so a reader never sees
 * half of an update. The policy server (later) pushes new versions through replace().
 */
export class PolicyStore {
  private doc: PolicyDocument;
  private readonly listeners = new Set<(doc: PolicyDocument) => void>();

  constructor(initial: PolicyDocument) {
    this.doc = initial;
  }

  current(): PolicyDocument {
    return this.doc;
  }

  replace(next: PolicyDocument): void {
    this.doc = next;
    for (const l of this.listeners) l(next);
  }

  onChange(listener: (doc: PolicyDocument) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

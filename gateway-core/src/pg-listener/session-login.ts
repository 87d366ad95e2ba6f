/**
 * A client's login: the startup packet's checks, then SCRAM-SHA-256 against the one-time
 * password's verifier. Every failure is a RelayFatal with PostgreSQL's own SQLSTATE and wording;
 * an unknown user runs the same exchange against a dummy verifier and fails only at the end, so
 * the user name cannot be probed.
 */
import { randomBytes } from 'node:crypto';
import * as be from './backend-messages.js';
import { RelayFatal } from './response-relay.js';
import { decodeSaslInitial, SCRAM_MECHANISM, ScramServerExchange, scramVerifier, type ScramVerifier } from './scram-server.js';

export interface LoginDeps {
  /** The one-time password's verifier for this user name, if it is the listener's user. */
  verifier(user: string): ScramVerifier | undefined;
  acceptsDatabase(database: string): boolean;
}

/** A dummy verifier, so that an unknown user costs the same and learns nothing. */
const DUMMY = scramVerifier(randomBytes(24).toString('base64url'));

export class SessionLogin {
  private user = '';
  private knownUser = false;
  private scram: ScramServerExchange | null = null;
  private step: 'startup' | 'sasl-initial' | 'sasl-final' | 'done' = 'startup';

  constructor(private readonly deps: LoginDeps) {}

  /** The startup packet's parameters → AuthenticationSASL. */
  startup(params: ReadonlyMap<string, string>): Buffer {
    if (params.has('replication')) throw new RelayFatal('replication connections are not available through Gatehouse', '0A000');
    if (params.has('options')) throw new RelayFatal('the startup "options" parameter is not accepted by Gatehouse (server settings are fixed by the gateway)', '0A000');
    const user = params.get('user') ?? '';
    if (user === '') throw new RelayFatal('no PostgreSQL user name specified in startup packet', '28000');
    const database = params.get('database') ?? user;
    if (!this.deps.acceptsDatabase(database)) throw new RelayFatal(`database "${database.slice(0, 63)}" is not served on this port`, '3D000');
    this.user = user;
    const verifier = this.deps.verifier(user);
    this.knownUser = verifier !== undefined;
    this.scram = new ScramServerExchange(verifier ?? DUMMY);
    this.step = 'sasl-initial';
    return be.authenticationSasl([SCRAM_MECHANISM]);
  }

  /** A SASL response → what to send, and whether the client is now authenticated. */
  respond(data: Buffer): { reply: Buffer[]; authenticated: boolean } {
    const failed = (): RelayFatal => new RelayFatal(`password authentication failed for user "${this.user.slice(0, 63)}"`, '28P01');
    if (this.step === 'sasl-initial') {
      let serverFirst: string;
      try {
        const { mechanism, response } = decodeSaslInitial(data);
        serverFirst = this.scram!.start(mechanism, response);
      } catch {
        throw failed();
      }
      this.step = 'sasl-final';
      return { reply: [be.authenticationSaslContinue(serverFirst)], authenticated: false };
    }
    if (this.step !== 'sasl-final') throw failed();
    let serverFinal: string;
    try {
      serverFinal = this.scram!.finish(data.toString('utf8'));
    } catch {
      throw failed();
    }
    if (!this.knownUser) throw failed();
    this.step = 'done';
    return { reply: [be.authenticationSaslFinal(serverFinal), be.authenticationOk()], authenticated: true };
  }
}

/** The policy the API suites run under: one role per situation the tests need. */
export const TEST_POLICY_YAML = `version: 1
roles:
  admin:
    groups: [gh-admins]
    connections: ["*"]
    sql: { read: allow, write: approve, dangerous: approve }
    approval: { approvers: [admin], required: 1, pendingExpiryMinutes: 60, grantExpiryMinutes: 15 }
  support:
    groups: [gh-support]
    connections: ["demo-*", "prod-*"]
    sql: { read: allow, write: approve, dangerous: deny }
    approval: { approvers: [admin], required: 1, pendingExpiryMinutes: 60, grantExpiryMinutes: 15 }
    accessByRequest: { connections: ["prod-*"], maxDurationMinutes: 240 }
  dba:
    groups: [gh-dba]
    connections: ["prod-*"]
    sql: { read: allow, write: approve, dangerous: approve }
    approval: { approvers: [admin], required: 2, pendingExpiryMinutes: 30, grantExpiryMinutes: 10 }
  intern:
    groups: [gh-interns]
    connections: ["demo-*"]
offline: { readGraceMinutes: 15 }
`;

/** The people of the tests, by subject, with their groups. */
export const PEOPLE = {
  erin: ['gh-support'],
  sam: ['gh-support'],
  ada: ['gh-admins'],
  alan: ['gh-admins'],
  dana: ['gh-dba'],
  ivan: ['gh-interns'],
} as const;
export type Person = keyof typeof PEOPLE;

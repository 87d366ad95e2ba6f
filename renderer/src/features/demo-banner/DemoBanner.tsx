export function DemoBanner() {
  return (
    <div className="demo-banner" role="note">
      <strong>Offline demo</strong>
      <span>
        Everything runs on this machine: a seeded “production” database, an SSH target and a local policy server. The data is fake.
      </span>
    </div>
  );
}

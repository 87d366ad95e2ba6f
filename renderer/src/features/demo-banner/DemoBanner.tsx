export function DemoBanner() {
  return (
    <div className="demo-banner" role="note">
      <strong>Offline demo</strong>
      <span>
        Everything runs on this machine: a seeded “production” PostgreSQL and an SSH server. The customers, cards and logs are fake.
      </span>
    </div>
  );
}

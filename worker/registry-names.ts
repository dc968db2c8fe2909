/**
 * Registry names for metric labels, read from the store at most once a minute per registry, so a
 * rename shows within a minute and a busy worker does not read the store for every artifact.
 */
export class RegistryNames {
  private readonly cached = new Map<number, { name: Promise<string>; until: number }>();

  constructor(
    private readonly registries: { get(id: number): Promise<{ name: string }> },
    private readonly maxAgeMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  nameOf(registryId: number): Promise<string> {
    const hit = this.cached.get(registryId);
    if (hit && hit.until > this.now()) return hit.name;
    // A registry deleted while a run still names it keeps its id as its label.
    const name = this.registries.get(registryId).then(
      (registry) => registry.name,
      () => String(registryId),
    );
    this.cached.set(registryId, { name, until: this.now() + this.maxAgeMs });
    return name;
  }
}

/**
 * Where a registry is known to hold a blob, remembered from uploads and HEADs, so a later copy
 * into another repository of the same registry can mount instead of uploading. Bounded: the
 * oldest digests are forgotten first.
 */
export class BlobLocations {
  private readonly repositories = new Map<string, Set<string>>();

  constructor(private readonly limit = 50_000) {}

  remember(digest: string, repository: string): void {
    const known = this.repositories.get(digest) ?? new Set<string>();
    this.repositories.delete(digest);
    known.add(repository);
    this.repositories.set(digest, known);
    if (this.repositories.size > this.limit) {
      this.repositories.delete(this.repositories.keys().next().value!);
    }
  }

  /** A repository other than `except` known to hold `digest`, if any. */
  elsewhere(digest: string, except: string): string | undefined {
    for (const repository of this.repositories.get(digest) ?? []) {
      if (repository !== except) return repository;
    }
    return undefined;
  }

  forget(digest: string, repository: string): void {
    this.repositories.get(digest)?.delete(repository);
  }
}

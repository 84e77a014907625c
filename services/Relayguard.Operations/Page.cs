namespace Relayguard.Operations;

/// <summary>One page of a list, newest first. <see cref="Next"/> is the opaque cursor of the following page, or null on the last page.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, string? Next);

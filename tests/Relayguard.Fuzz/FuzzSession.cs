namespace Relayguard.Fuzz;

/// <summary>What one session sends: the bytes in chunks, and whether the client then stalls instead of closing its side.</summary>
public sealed record FuzzSession(int Number, string Kind, IReadOnlyList<byte[]> Chunks, bool Stall, int DelayMilliseconds);

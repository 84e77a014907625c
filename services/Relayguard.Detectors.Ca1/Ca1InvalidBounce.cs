namespace Relayguard.Detectors.Ca1;

/// <summary>A permanent failure of one recipient because the address or its domain does not exist.</summary>
public sealed record Ca1InvalidBounce(
    Guid EventId,
    string Account,
    DateTimeOffset WindowStart,
    DateTimeOffset SubmittedAt,
    string RecipientHash,
    string RecipientAddress,
    string Reply,
    DateTimeOffset BouncedAt);

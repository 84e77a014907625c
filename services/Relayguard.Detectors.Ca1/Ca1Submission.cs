namespace Relayguard.Detectors.Ca1;

/// <summary>The recipients of one relayed submission, to be counted in the window that contains its submission time.</summary>
public sealed record Ca1Submission(
    Guid EventId,
    string Account,
    DateTimeOffset WindowStart,
    DateTimeOffset SubmittedAt,
    IReadOnlyCollection<string> RecipientHashes);

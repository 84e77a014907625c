namespace Relayguard.Detectors.Ca1;

/// <summary>The recipients of one relayed submission, to be counted in the window that contains its submission time.</summary>
/// <param name="TraceParent">The W3C traceparent of the span that counted the submission, in its trace.</param>
public sealed record Ca1Submission(
    Guid EventId,
    string Account,
    DateTimeOffset WindowStart,
    DateTimeOffset SubmittedAt,
    IReadOnlyCollection<string> RecipientHashes,
    string? TraceParent = null);

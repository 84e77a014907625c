namespace Relayguard.Contracts;

public static class SubmissionOutcomes
{
    public const string Relayed = "relayed";
    public const string Refused = "refused";
    /// <summary>A temporary failure (4xx): the client may retry.</summary>
    public const string Deferred = "deferred";
}

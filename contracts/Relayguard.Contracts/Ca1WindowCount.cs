namespace Relayguard.Contracts;

/// <summary>The distinct and invalid recipients of one CA1 window, leaving out mail submitted before the account's last CA1 lift.</summary>
public sealed record Ca1WindowCount
{
    public required DateTimeOffset WindowStart { get; init; }

    public required int DistinctRecipients { get; init; }

    public required int InvalidRecipients { get; init; }
}

namespace Relayguard.Contracts;

/// <summary>One example behind a block: an invalid address with its reply, a message id with its score, a refused bounce.</summary>
public sealed record EvidenceSample
{
    public required string Value { get; init; }

    public string? Detail { get; init; }

    public DateTimeOffset? At { get; init; }
}

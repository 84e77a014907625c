namespace Relayguard.Bounces;

/// <summary>The result of classifying one message.</summary>
public sealed record Classification
{
    public required MessageKind Kind { get; init; }

    /// <summary>The failed and delayed recipients of a delivery report, empty for every other kind.</summary>
    public required IReadOnlyList<FailedRecipient> Recipients { get; init; }

    /// <summary>The envelope id of the reported message (RFC 3464 Original-Envelope-Id).</summary>
    public string? OriginalEnvelopeId { get; init; }

    /// <summary>The Message-ID of the reported message, from the returned copy or its headers.</summary>
    public string? OriginalMessageId { get; init; }

    /// <summary>A short explanation of the signal that decided the kind.</summary>
    public required string Why { get; init; }
}

namespace Relayguard.Contracts;

/// <summary>One page of the active blocks, in the form of the events that set them, as the response to <see cref="ListActiveBlocks"/>.</summary>
public sealed record ActiveBlockList
{
    public required IReadOnlyList<AccountBlocked> AccountBlocks { get; init; }

    public required IReadOnlyList<IpBlocked> IpBlocks { get; init; }

    /// <summary>Of the requested <see cref="ListActiveBlocks.HeldEventIds"/>, the blocks that were lifted or have expired.</summary>
    public required IReadOnlyList<Guid> EndedEventIds { get; init; }

    /// <summary>The cursor of the next page, or null when this is the last one.</summary>
    public string? Next { get; init; }

    /// <summary>When the responder read the blocks.</summary>
    public required DateTimeOffset ListedAt { get; init; }
}

namespace Relayguard.Contracts;

/// <summary>
/// A request for one page of the active blocks, to which the operations service responds with
/// <see cref="ActiveBlockList"/>. A gateway sends it at start to catch up with block and lift events it missed.
/// </summary>
public sealed record ListActiveBlocks
{
    /// <summary>The <see cref="ActiveBlockList.Next"/> cursor of the previous page; null for the first page.</summary>
    public string? After { get; init; }

    /// <summary>Maximum blocks in the page; the responder caps it at 500.</summary>
    public int Limit { get; init; } = 500;

    /// <summary>Event ids of blocks the requester enforces; the response names those that have ended since.</summary>
    public IReadOnlyList<Guid> HeldEventIds { get; init; } = [];
}

namespace Relayguard.Gateway.Blocks;

/// <summary>
/// One block as the cache holds it: code and scope as ids into <see cref="BlockNames"/>, times as UTC ticks, and the
/// reason as a reference to a string shared by every block with the same text. 48 bytes on x64.
/// </summary>
internal readonly struct CompactBlock(long expiresAtTicks, long blockedAtTicks, Guid eventId, string reason, byte code, byte scope)
{
    /// <summary>Stands for a block without expiry in <see cref="ExpiresAtTicks"/>.</summary>
    public const long NoExpiry = long.MaxValue;

    public long ExpiresAtTicks { get; } = expiresAtTicks;

    public long BlockedAtTicks { get; } = blockedAtTicks;

    public Guid EventId { get; } = eventId;

    public string Reason { get; } = reason;

    public byte Code { get; } = code;

    public byte Scope { get; } = scope;

    public bool IsActive(long nowTicks) => ExpiresAtTicks > nowTicks;
}

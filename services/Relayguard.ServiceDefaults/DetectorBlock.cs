using MassTransit;
using Relayguard.Contracts;

namespace Relayguard.ServiceDefaults;

/// <summary>
/// A block event that a detector has stored and must publish. Exactly one of <see cref="AccountBlocked"/>
/// and <see cref="IpBlocked"/> is set.
/// </summary>
public sealed record DetectorBlock
{
    private DetectorBlock(AccountBlocked? accountBlocked, IpBlocked? ipBlocked)
    {
        AccountBlocked = accountBlocked;
        IpBlocked = ipBlocked;
    }

    public AccountBlocked? AccountBlocked { get; }

    public IpBlocked? IpBlocked { get; }

    public Guid EventId => AccountBlocked?.EventId ?? IpBlocked!.EventId;

    public string Code => AccountBlocked?.Code ?? IpBlocked!.Code;

    public string Scope => AccountBlocked?.Scope ?? IpBlocked!.Scope;

    public DateTimeOffset BlockedAt => AccountBlocked?.BlockedAt ?? IpBlocked!.BlockedAt;

    /// <summary>The end of the block, or null when it lasts until an operator lifts it.</summary>
    public DateTimeOffset? ExpiresAt => AccountBlocked is not null ? AccountBlocked.ExpiresAt : IpBlocked!.ExpiresAt;

    /// <summary>
    /// The W3C <c>traceparent</c> values stored with the counted rows that caused this block, distinct, most recent
    /// first and at most <see cref="DecisionSpans.MaxLinks"/>. The decision span links to each. Only a block that the
    /// detector has just made carries them, because the store does not keep them.
    /// </summary>
    public IReadOnlyList<string> SubmissionTraceParents { get; init; } = [];

    public BlockSubject Subject => AccountBlocked is not null
        ? BlockSubject.ForAccount(AccountBlocked.Account, AccountBlocked.OnIp)
        : BlockSubject.ForIp(IpBlocked!.Ip);

    public static DetectorBlock From(AccountBlocked message) => new(message ?? throw new ArgumentNullException(nameof(message)), null);

    public static DetectorBlock From(IpBlocked message) => new(null, message ?? throw new ArgumentNullException(nameof(message)));

    /// <summary>
    /// Publishes the event with its <see cref="EventId"/> as the bus message id, so a second publication of the
    /// same stored block (after a retry) carries the same id and consumers apply it once.
    /// </summary>
    public Task PublishAsync(IPublishEndpoint endpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        var eventId = EventId;
        return AccountBlocked is not null
            ? endpoint.Publish(AccountBlocked, context => context.MessageId = eventId, cancellationToken)
            : endpoint.Publish(IpBlocked!, context => context.MessageId = eventId, cancellationToken);
    }
}

using Relayguard.Contracts;

namespace Relayguard.Detectors.Tests;

/// <summary>Builds the events the detectors consume, with defaults that each test overrides where it matters.</summary>
internal static class Events
{
    public static readonly DateTimeOffset Start = new(2025, 3, 3, 10, 0, 0, TimeSpan.Zero);

    public static string RecipientHash(int index) => $"hash-{index:D4}";

    public static string RecipientAddress(int index) => $"user{index}@example.net";

    public static MessageSubmitted Relayed(string account, int recipients, DateTimeOffset submittedAt, int firstRecipient = 0) => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = "msg-" + Guid.NewGuid().ToString("N")[..12],
        SubmittedAt = submittedAt,
        Account = account,
        ClientIp = "192.0.2.10",
        NullSender = false,
        RecipientHashes = Enumerable.Range(firstRecipient, recipients).Select(RecipientHash).ToList(),
        RecipientCount = recipients,
        Size = 2048,
        SpamScore = 1.5,
        SpamAction = SpamActions.NoAction,
        Outcome = SubmissionOutcomes.Relayed,
    };

    public static DeliveryBounced Bounce(string account, int recipient, DateTimeOffset submittedAt, bool addressInvalid = true, bool permanent = true) => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = "msg-bounced",
        Account = account,
        ClientIp = "192.0.2.10",
        RecipientAddress = RecipientAddress(recipient),
        RecipientHash = RecipientHash(recipient),
        ReplyCode = addressInvalid ? 550 : 552,
        EnhancedStatus = addressInvalid ? "5.1.1" : "5.2.2",
        Reply = addressInvalid ? "550 5.1.1 User unknown" : "552 5.2.2 Mailbox full",
        AddressInvalid = addressInvalid,
        Permanent = permanent,
        Reason = addressInvalid ? "user-unknown" : "mailbox-full",
        SubmittedAt = submittedAt,
        BouncedAt = submittedAt.AddMinutes(1),
        Source = BounceSources.Relay,
    };

    public static MessageSubmitted SpamRejected(string clientIp, DateTimeOffset submittedAt, string? account = null) => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = "msg-" + Guid.NewGuid().ToString("N")[..12],
        SubmittedAt = submittedAt,
        Account = account,
        ClientIp = clientIp,
        NullSender = false,
        RecipientHashes = [RecipientHash(0)],
        RecipientCount = 1,
        Size = 4096,
        SpamScore = 18.2,
        SpamAction = SpamActions.Reject,
        Outcome = SubmissionOutcomes.Refused,
        RefusalCode = RuleCodes.Ca2,
        RefusalStage = "data",
        Reply = "550 5.7.1 Message refused as spam (CA2).",
    };

    public static MessageSubmitted BounceRefused(string clientIp, DateTimeOffset submittedAt, string? account = null, string stage = "data") => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = "msg-" + Guid.NewGuid().ToString("N")[..12],
        SubmittedAt = submittedAt,
        Account = account,
        ClientIp = clientIp,
        NullSender = true,
        RecipientHashes = [RecipientHash(0)],
        RecipientCount = 1,
        Size = 3000,
        SpamAction = stage == "data" ? SpamActions.NoAction : SpamActions.NotScanned,
        Outcome = SubmissionOutcomes.Refused,
        RefusalCode = RuleCodes.Bo1,
        RefusalStage = stage,
        Reply = "550 5.7.1 Bounce messages are not accepted (BO1).",
    };

    public static AccountUnblocked AccountLift(string account, string code, DateTimeOffset at, string? onIp = null) => new()
    {
        EventId = Guid.NewGuid(),
        Account = account,
        OnIp = onIp,
        Codes = [code],
        Operator = "support",
        Reason = "password changed",
        UnblockedAt = at,
    };

    public static IpUnblocked IpLift(string ip, string code, DateTimeOffset at) => new()
    {
        EventId = Guid.NewGuid(),
        Ip = ip,
        Codes = [code],
        Operator = "support",
        Reason = "customer cleaned the host",
        UnblockedAt = at,
    };
}

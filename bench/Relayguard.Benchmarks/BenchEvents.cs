using System.Globalization;
using Relayguard.Contracts;

namespace Relayguard.Benchmarks;

/// <summary>
/// The <see cref="MessageSubmitted"/> events each detector counts, spread over many subjects so none is blocked. Their
/// event ids are time-ordered, as the gateway makes them.
/// </summary>
public static class BenchEvents
{
    public static MessageSubmitted For(string detector, int i) => detector switch
    {
        "ca1" => Relayed(i) with { Account = $"account{i % 1000}@bench.test" },
        "ca2" => SpamRejected(Ipv4(i % 50_000)),
        "bo1" => Relayed(i) with
        {
            Account = $"account{i % 1000}@bench.test",
            ClientIp = Ipv4(i % 50_000),
            NullSender = true,
            Outcome = SubmissionOutcomes.Refused,
            RefusalCode = RuleCodes.Bo1,
            RefusalStage = "data",
            RelayAttempted = false,
        },
        "rl1" => Relayed(i) with { Account = $"account{i % 1000}@bench.test" },
        _ => throw new ArgumentException($"Unknown detector '{detector}': use ca1, ca2, bo1 or rl1."),
    };

    /// <summary>A message Rspamd scored <c>reject</c> from <paramref name="clientIp"/>, which CA2 counts.</summary>
    public static MessageSubmitted SpamRejected(string clientIp) => new()
    {
        EventId = Guid.CreateVersion7(),
        GatewayMessageId = Guid.NewGuid().ToString("N"),
        SubmittedAt = DateTimeOffset.UtcNow,
        ClientIp = clientIp,
        NullSender = false,
        RecipientHashes = [Guid.NewGuid().ToString("N")],
        RecipientCount = 1,
        Size = 1024,
        SpamScore = 20,
        SpamAction = SpamActions.Reject,
        Outcome = SubmissionOutcomes.Refused,
        RefusalCode = RuleCodes.Ca2,
        RefusalStage = "data",
    };

    /// <summary>An address from 11.0.0.0/8: a key in the detectors' tables only; nothing is sent to it.</summary>
    public static string Ipv4(int i) => string.Create(CultureInfo.InvariantCulture, $"11.{(i >> 16) & 0xFF}.{(i >> 8) & 0xFF}.{i & 0xFF}");

    private static MessageSubmitted Relayed(int i) => new()
    {
        EventId = Guid.CreateVersion7(),
        GatewayMessageId = Guid.NewGuid().ToString("N"),
        SubmittedAt = DateTimeOffset.UtcNow,
        ClientIp = Ipv4(i % 50_000),
        NullSender = false,
        RecipientHashes = [Guid.NewGuid().ToString("N"), Guid.NewGuid().ToString("N")],
        RecipientCount = 2,
        Size = 1024,
        SpamAction = SpamActions.NotScanned,
        Outcome = SubmissionOutcomes.Relayed,
        RelayAttempted = true,
    };
}

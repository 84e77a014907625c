using Relayguard.Contracts;
using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>Three replicas of CA1 on one SQLite file reach the same decisions as one replica on the same events.</summary>
[Collection(DistributedCollection.Name)]
public sealed class ReplicaTests(BrokerFixture fixture)
{
    private const int Accounts = 30;
    private const int RecipientsPerAccount = 40;

    [Fact]
    public async Task ThreeReplicas_DecideAsOne()
    {
        var events = Input(DateTimeOffset.UtcNow);

        var single = await RunAsync(events, replicas: 1);
        var three = await RunAsync(events, replicas: 3);

        Assert.NotEmpty(single.Blocked);
        Assert.NotEqual(Accounts, single.Blocked.Count);
        Assert.Equal(single.Blocked, three.Blocked);
        Assert.Equal(single.Tallies, three.Tallies);
        Assert.Equal(three.Blocked.Count, three.BlockEvents);
        Assert.Equal(single.Blocked.Count, single.BlockEvents);
    }

    /// <summary>
    /// Each account submits 40 recipients in one message, and account i then gets i invalid-address bounces. So
    /// accounts 25 to 29 cross the thresholds (25 invalid and 20%), and the others stay below. Bounces come before their
    /// submission for some accounts, as they can when DSNs overtake events.
    /// </summary>
    private static List<object> Input(DateTimeOffset submittedAt)
    {
        var events = new List<object>();
        for (var account = 0; account < Accounts; account++)
        {
            var name = $"account{account}";
            var hashes = Enumerable.Range(0, RecipientsPerAccount).Select(r => $"{name}-rcpt{r}").ToList();
            var submission = new MessageSubmitted
            {
                EventId = Guid.NewGuid(),
                GatewayMessageId = $"M-{name}",
                SubmittedAt = submittedAt,
                Account = name,
                ClientIp = "192.0.2.10",
                NullSender = false,
                RecipientHashes = hashes,
                RecipientCount = hashes.Count,
                Size = 2048,
                SpamAction = SpamActions.NotScanned,
                Outcome = SubmissionOutcomes.Relayed,
                RelayAttempted = true,
            };
            var bounces = hashes.Take(account).Select(hash => (object)new DeliveryBounced
            {
                EventId = Guid.NewGuid(),
                GatewayMessageId = $"M-{name}",
                Account = name,
                ClientIp = "192.0.2.10",
                RecipientAddress = hash + "@example.net",
                RecipientHash = hash,
                ReplyCode = 550,
                EnhancedStatus = "5.1.1",
                Reply = "550 5.1.1 User unknown",
                AddressInvalid = true,
                Permanent = true,
                Reason = "user-unknown",
                SubmittedAt = submittedAt,
                BouncedAt = submittedAt.AddMinutes(1),
                Source = BounceSources.Dsn,
            }).ToList();
            if (account % 3 == 0)
            {
                events.AddRange(bounces);
                events.Add(submission);
            }
            else
            {
                events.Add(submission);
                events.AddRange(bounces);
            }
        }

        return events;
    }

    private async Task<Outcome> RunAsync(IReadOnlyList<object> events, int replicas)
    {
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var store = Path.Combine(deployment.Folder, "ca1-shared.db");
        for (var replica = 0; replica < replicas; replica++)
        {
            await deployment.StartAsync(deployment.Detector("ca1", store, $"ca1-{replica}"));
        }

        await using var probe = await BusProbe.StartAsync(deployment.BusUri);
        foreach (var message in events)
        {
            switch (message)
            {
                case MessageSubmitted submitted:
                    await probe.PublishAsync(submitted, submitted.EventId);
                    break;
                case DeliveryBounced bounced:
                    await probe.PublishAsync(bounced, bounced.EventId);
                    break;
            }
        }

        var submissions = events.OfType<MessageSubmitted>().Count();
        var bounceCount = events.OfType<DeliveryBounced>().Count();
        await Wait.UntilAsync(
            () => StoreReader.Processed(store, "ca1-message-submitted") == submissions && StoreReader.Processed(store, "ca1-delivery-bounced") == bounceCount,
            $"{replicas} CA1 replicas to apply every event",
            TimeSpan.FromSeconds(120));
        var blocked = Enumerable.Range(0, Accounts).Select(i => $"account{i}")
            .Where(name => StoreReader.Count(store, "SELECT COUNT(*) FROM ca1_blocks WHERE subject = $s;", ("$s", name)) > 0)
            .ToList();
        await Wait.UntilAsync(() => probe.AccountBlocks.Select(b => b.Account).Distinct().Count() >= blocked.Count, "the block events of every blocked account");
        var tallies = Enumerable.Range(0, Accounts).Select(i => $"account{i}")
            .Select(name => StoreReader.Count(store, "SELECT COUNT(*) FROM ca1_recipients WHERE account = $a AND invalid_submitted_at IS NOT NULL;", ("$a", name)))
            .ToList();
        return new Outcome(blocked, tallies, probe.AccountBlocks.Select(b => b.EventId).Distinct().Count());
    }

    private sealed record Outcome(List<string> Blocked, List<long> Tallies, int BlockEvents);
}

using Relayguard.Contracts;
using Relayguard.DistributedTests.Infrastructure;

namespace Relayguard.DistributedTests;

/// <summary>A detector killed with SIGKILL in the middle of a load loses no count and issues no second block.</summary>
[Collection(DistributedCollection.Name)]
public sealed class DetectorCrashTests(BrokerFixture fixture)
{
    private const int Addresses = 200;
    private const int RejectsPerAddress = 5;
    private const int Total = Addresses * RejectsPerAddress;

    [Fact]
    public async Task Sigkill_KeepsCountsAndBlocks()
    {
        await using var deployment = await Deployment.CreateAsync(fixture.Broker);
        var ca2 = deployment.Detector("ca2");
        var store = ca2.Settings["Store:Sqlite"];
        var process = await deployment.StartAsync(ca2);
        await using var probe = await BusProbe.StartAsync(deployment.BusUri);

        // Five rejected messages per address, interleaved, so every address reaches CA2's threshold late in the load.
        var submittedAt = DateTimeOffset.UtcNow;
        var publishing = Task.Run(async () =>
        {
            for (var round = 0; round < RejectsPerAddress; round++)
            {
                for (var address = 0; address < Addresses; address++)
                {
                    var message = Rejected($"198.51.100.{address}", address, round, submittedAt);
                    await probe.PublishAsync(message, message.EventId);
                }
            }
        });

        await Wait.UntilAsync(() => StoreReader.Processed(store, "ca2-message-submitted") >= Total / 4, "CA2 to process a quarter of the load", TimeSpan.FromSeconds(60));
        await process.KillAsync();
        var countAtKill = StoreReader.Processed(store, "ca2-message-submitted");
        await publishing;
        await deployment.StartAsync(ca2);

        await Wait.UntilAsync(() => StoreReader.Processed(store, "ca2-message-submitted") == Total, $"CA2 to process all {Total} events", TimeSpan.FromSeconds(120));
        await Wait.UntilAsync(() => probe.IpBlocks.Select(b => b.Ip).Distinct().Count() == Addresses, "a block for every address", TimeSpan.FromSeconds(60));
        Assert.True(countAtKill < Total, $"The kill came after the whole load ({countAtKill} events processed).");
        Assert.Equal(Total, StoreReader.Count(store, "SELECT COUNT(*) FROM ca2_rejects;"));
        Assert.Equal(Addresses, StoreReader.Count(store, "SELECT COUNT(*) FROM ca2_blocks;"));
        Assert.Equal(Addresses, probe.IpBlocks.Select(b => b.EventId).Distinct().Count());
        Assert.All(probe.IpBlocks.GroupBy(b => b.Ip), group => Assert.Single(group.Select(b => b.EventId).Distinct()));
    }

    private static MessageSubmitted Rejected(string ip, int address, int round, DateTimeOffset submittedAt) => new()
    {
        EventId = Guid.NewGuid(),
        GatewayMessageId = $"M{address}-{round}",
        SubmittedAt = submittedAt.AddMilliseconds(round),
        Account = null,
        ClientIp = ip,
        NullSender = false,
        RecipientHashes = [$"hash-{address}-{round}"],
        RecipientCount = 1,
        Size = 1024,
        SpamScore = 20,
        SpamAction = SpamActions.Reject,
        Outcome = SubmissionOutcomes.Refused,
        RefusalCode = RuleCodes.Ca2,
        RefusalStage = "data",
    };
}

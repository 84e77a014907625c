using Microsoft.Extensions.DependencyInjection;
using Relayguard.Operations.Blocks;

namespace Relayguard.Operations.Tests;

public sealed class EvidenceTests
{
    [Fact]
    public async Task Prune_After90DaysFromLift_DeletesSamples()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        await host.BlockAccountAsync("bob");
        await host.Operator.PostAsync("/api/blocks/account/alice/lift", System.Net.Http.Json.JsonContent.Create(new { reason = "password changed" }));
        var store = host.Harness.Scope.ServiceProvider.GetRequiredService<BlockStore>();

        host.Time.Advance(TimeSpan.FromDays(89));
        var early = store.PruneEvidence();
        host.Time.Advance(TimeSpan.FromDays(2));
        var due = store.PruneEvidence();

        Assert.Equal(0, early);
        Assert.Equal(1, due);
        var alice = store.ForSubject("account", "alice").Single();
        var bob = store.ForSubject("account", "bob").Single();
        Assert.Empty(alice.Evidence!.Samples);
        Assert.Equal(27, alice.Evidence.Counts["invalidRecipients"]);
        Assert.NotNull(alice.EvidenceSamplesDeletedAt);
        Assert.Equal(2, bob.Evidence!.Samples.Count);
    }

    [Fact]
    public async Task Prune_Expired_CountsFromExpiry()
    {
        await using var host = await OperationsHost.StartAsync(new Dictionary<string, string?> { ["Operations:EvidenceRetention"] = "30d" });
        var ip = Events.IpBlocked("203.0.113.5", host.Time.GetUtcNow(), host.Time.GetUtcNow().AddDays(1));
        await host.PublishAsync(ip, ip.EventId);
        var store = host.Harness.Scope.ServiceProvider.GetRequiredService<BlockStore>();

        host.Time.Advance(TimeSpan.FromDays(30));
        var early = store.PruneEvidence();
        host.Time.Advance(TimeSpan.FromDays(2));
        var due = store.PruneEvidence();

        Assert.Equal(0, early);
        Assert.Equal(1, due);
    }

    [Fact]
    public async Task Options_BadRetention_StopsStart()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => OperationsHost.StartAsync(new Dictionary<string, string?> { ["Operations:EvidenceRetention"] = "forever" }));

        Assert.Contains("Operations:EvidenceRetention", error.Message, StringComparison.Ordinal);
    }
}

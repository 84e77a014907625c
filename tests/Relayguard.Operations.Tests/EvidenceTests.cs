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
        var store = host.Harness.Scope.ServiceProvider.GetRequiredService<IBlockStore>();

        // The hourly clean-up also runs as the fake clock moves, so the state is checked, not the returned counts.
        host.Time.Advance(TimeSpan.FromDays(89));
        store.PruneEvidence();
        var early = store.ForSubject("account", "alice").Single();
        host.Time.Advance(TimeSpan.FromDays(2));
        store.PruneEvidence();

        Assert.Equal(2, early.Evidence!.Samples.Count);
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
        var store = host.Harness.Scope.ServiceProvider.GetRequiredService<IBlockStore>();

        host.Time.Advance(TimeSpan.FromDays(30));
        store.PruneEvidence();
        var early = store.ForSubject("ip", "203.0.113.5").Single();
        host.Time.Advance(TimeSpan.FromDays(2));
        store.PruneEvidence();

        Assert.Equal(2, early.Evidence!.Samples.Count);
        Assert.Empty(store.ForSubject("ip", "203.0.113.5").Single().Evidence!.Samples);
    }

    [Fact]
    public async Task Maintenance_PrunesWithoutCall()
    {
        await using var host = await OperationsHost.StartAsync();
        await host.BlockAccountAsync("alice");
        await host.Operator.PostAsync("/api/blocks/account/alice/lift", System.Net.Http.Json.JsonContent.Create(new { reason = "password changed" }));
        var store = host.Harness.Scope.ServiceProvider.GetRequiredService<IBlockStore>();

        host.Time.Advance(TimeSpan.FromDays(91));

        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (store.ForSubject("account", "alice").Single().Evidence!.Samples.Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Empty(store.ForSubject("account", "alice").Single().Evidence!.Samples);
    }

    [Fact]
    public async Task Options_BadRetention_StopsStart()
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(
            () => OperationsHost.StartAsync(new Dictionary<string, string?> { ["Operations:EvidenceRetention"] = "forever" }));

        Assert.Contains("Operations:EvidenceRetention", error.Message, StringComparison.Ordinal);
    }
}

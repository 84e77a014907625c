using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Operations.Allowlist;
using Relayguard.Operations.Blocks;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="IAllowlistStore"/> must do, whatever stores the data.</summary>
public sealed class OperationsAllowlistStoreContractTests
{
    private const string Account = "shop@example.com";

    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Add_ReplacesActiveEntry(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var bus = RecordingPublishEndpoint.Create();

        var first = await stores.Allowlist.AddAsync(Entry(RuleCodes.Ca1), "admin", bus.Endpoint, default);
        var second = await stores.Allowlist.AddAsync(Entry(RuleCodes.Ca1), "admin", bus.Endpoint, default);

        Assert.Null(first.Replaced);
        Assert.Equal(first.Entry.Id, second.Replaced?.Id);
        Assert.Equal(AllowlistStates.Removed, second.Replaced?.State);
        Assert.Equal(second.Entry.Id, Assert.Single(stores.Allowlist.List(null, AllowlistStates.Active)).Id);
        Assert.Equal(2, bus.Published.OfType<AllowlistEntryAdded>().Count());
        Assert.Equal(2, stores.Audit.List(10).Items.Count(entry => entry.Action == "allow-add"));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Remove_PublishesPerEntry(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var bus = RecordingPublishEndpoint.Create();
        await stores.Allowlist.AddAsync(Entry(RuleCodes.Ca1), "admin", bus.Endpoint, default);
        await stores.Allowlist.AddAsync(Entry(code: null), "admin", bus.Endpoint, default);

        var removed = await stores.Allowlist.RemoveAsync(BlockKinds.Account, Account, null, "admin", bus.Endpoint, default);
        var again = await stores.Allowlist.RemoveAsync(BlockKinds.Account, Account, null, "admin", bus.Endpoint, default);

        Assert.Equal(2, removed.Count);
        Assert.Empty(again);
        Assert.Equal(2, bus.Published.OfType<AllowlistEntryRemoved>().Count());
        Assert.Empty(stores.Allowlist.List(null, AllowlistStates.Active));
        Assert.All(stores.Allowlist.List(null, AllowlistStates.All), entry => Assert.Equal(AllowlistStates.Removed, entry.State));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Remove_OneCodeKeepsOthers(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var bus = RecordingPublishEndpoint.Create();
        await stores.Allowlist.AddAsync(Entry(RuleCodes.Ca1), "admin", bus.Endpoint, default);
        await stores.Allowlist.AddAsync(Entry(code: null), "admin", bus.Endpoint, default);

        var removed = await stores.Allowlist.RemoveAsync(BlockKinds.Account, Account, string.Empty, "admin", bus.Endpoint, default);

        Assert.Null(Assert.Single(removed).Code);
        Assert.Equal(RuleCodes.Ca1, Assert.Single(stores.Allowlist.List(null, AllowlistStates.Active)).Code);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Entry_ExpiresWithClock(string kind)
    {
        using var scope = new StoreScope(kind);
        var time = new FakeTimeProvider(Now);
        var stores = scope.Operations(time);
        await stores.Allowlist.AddAsync(Entry(RuleCodes.Ca2) with { Duration = TimeSpan.FromHours(1) }, "admin", RecordingPublishEndpoint.Create().Endpoint, default);

        Assert.Single(stores.Allowlist.List(null, AllowlistStates.Active));
        time.Advance(TimeSpan.FromHours(2));

        Assert.Empty(stores.Allowlist.List(null, AllowlistStates.Active));
        Assert.Equal(AllowlistStates.Expired, Assert.Single(stores.Allowlist.List(null, AllowlistStates.All)).State);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task ConcurrentAdds_LeaveOneActive(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var bus = RecordingPublishEndpoint.Create();

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => stores.Allowlist.AddAsync(Entry(RuleCodes.Rl1), "admin", bus.Endpoint, default))));

        Assert.Single(stores.Allowlist.List(null, AllowlistStates.Active));
        Assert.Equal(8, stores.Allowlist.List(null, AllowlistStates.All).Count);
    }

    /// <summary>SQLite rolls the entry back; MongoDB keeps it and its outbox publishes the event once the bus takes it.</summary>
    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public async Task Add_PublishFailure(string kind)
    {
        using var scope = new StoreScope(kind);
        var time = new FakeTimeProvider(Now);
        var stores = scope.Operations(time);
        var down = RecordingPublishEndpoint.Create();
        down.Failing = true;

        if (stores.Outbox is null)
        {
            await Assert.ThrowsAsync<EventPublishException>(() => stores.Allowlist.AddAsync(Entry(RuleCodes.Ca1), "admin", down.Endpoint, default));
            Assert.Empty(stores.Allowlist.List(null, AllowlistStates.All));
            return;
        }

        var added = await stores.Allowlist.AddAsync(Entry(RuleCodes.Ca1), "admin", down.Endpoint, default);
        time.Advance(TimeSpan.FromMinutes(2));
        var bus = RecordingPublishEndpoint.Create();

        Assert.Equal(1, await stores.Outbox.PublishPendingAsync(bus.Endpoint, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default));
        Assert.Equal(added.Entry.EventId, Assert.IsType<AllowlistEntryAdded>(Assert.Single(bus.Published)).EventId);
    }

    private static NewAllowlistEntry Entry(string? code) => new()
    {
        Kind = BlockKinds.Account,
        Subject = Account,
        Code = code,
        Reason = "known bulk sender",
    };
}

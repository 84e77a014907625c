using Microsoft.Extensions.Time.Testing;
using Relayguard.Contracts;
using Relayguard.Operations;
using Relayguard.Operations.Audit;
using Relayguard.Operations.Tokens;
using Relayguard.Operations.Warnings;
using Relayguard.Operations.Webhooks;

namespace Relayguard.Stores.Tests;

/// <summary>What every <see cref="IAuditLog"/>, <see cref="IWarningStore"/> and <see cref="IWebhookQueue"/> must do, whatever stores the data.</summary>
public sealed class OperationsLogStoreContractTests
{
    private static readonly DateTimeOffset Now = TestClock.HourStart.AddMinutes(30);

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Audit_PagesNewestFirst(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        foreach (var name in new[] { "one", "two", "three" })
        {
            stores.Tokens.Add(name, OperatorRoles.Read, "admin");
        }

        var first = stores.Audit.List(2);
        Assert.Equal(PageCursorCheck.Valid, IAuditLog.TryParseCursor(first.Next!, null, null, out var afterId));
        var second = stores.Audit.List(2, afterId);

        Assert.Equal(["three", "two"], first.Items.Select(entry => entry.Subject));
        Assert.Equal(["one"], second.Items.Select(entry => entry.Subject));
        Assert.Null(second.Next);
        Assert.Equal(["two"], stores.Audit.List(10, subject: "two").Items.Select(entry => entry.Subject));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Warning_RecordedOnce(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var warning = Warning("shop@example.com", Now.AddMinutes(-1));

        Assert.True(stores.Warnings.Record(warning));
        Assert.False(stores.Warnings.Record(warning));

        Assert.Equal(warning.EventId, Assert.Single(stores.Warnings.List(null, 10)).EventId);
        Assert.Single(stores.Webhooks.ReadAfter(0, 10), item => item.EventId == warning.EventId);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Warnings_ListNewestFirstAndPrune(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        var old = Warning("shop@example.com", Now.AddHours(-2));
        var recent = Warning("shop@example.com", Now.AddMinutes(-1));
        var other = Warning("news@example.com", Now.AddMinutes(-2));
        foreach (var warning in new[] { old, recent, other })
        {
            stores.Warnings.Record(warning);
        }

        Assert.Equal([recent.EventId, other.EventId, old.EventId], stores.Warnings.List(null, 10).Select(warning => warning.EventId));
        Assert.Equal([recent.EventId, old.EventId], stores.Warnings.List("shop@example.com", 10).Select(warning => warning.EventId));
        Assert.Equal(1, stores.Warnings.Prune(Now.AddHours(-1)));
        Assert.Equal(2, stores.Warnings.List(null, 10).Count);
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void WebhookCursor_StartsAtNewest(string kind)
    {
        using var scope = new StoreScope(kind);
        var stores = scope.Operations(new FakeTimeProvider(Now));
        stores.Warnings.Record(Warning("shop@example.com", Now.AddMinutes(-2)));

        var cursor = stores.Webhooks.GetOrCreateCursor("https://hooks.example.com/a");
        var next = Warning("shop@example.com", Now.AddMinutes(-1));
        stores.Warnings.Record(next);
        var pending = stores.Webhooks.ReadAfter(cursor, 10);

        Assert.Equal(next.EventId, Assert.Single(pending).EventId);
        Assert.Equal(nameof(AccountWarned), pending[0].Type);
        Assert.Contains(next.EventId.ToString(), pending[0].Body, StringComparison.Ordinal);

        stores.Webhooks.SaveCursor("https://hooks.example.com/a", pending[0].Id);
        Assert.Equal(pending[0].Id, stores.Webhooks.GetOrCreateCursor("https://hooks.example.com/a"));
        Assert.Empty(stores.Webhooks.ReadAfter(pending[0].Id, 10));
    }

    [Theory]
    [MemberData(nameof(StoreKinds.All), MemberType = typeof(StoreKinds))]
    public void Webhooks_PruneByAge(string kind)
    {
        using var scope = new StoreScope(kind);
        var time = new FakeTimeProvider(Now);
        var stores = scope.Operations(time);
        stores.Warnings.Record(Warning("shop@example.com", Now.AddMinutes(-3)));
        time.Advance(TimeSpan.FromHours(1));
        stores.Warnings.Record(Warning("shop@example.com", Now.AddMinutes(-2)));

        Assert.Equal(1, stores.Webhooks.Prune(Now.AddMinutes(30)));
        Assert.Single(stores.Webhooks.ReadAfter(0, 10));
    }

    private static AccountWarned Warning(string account, DateTimeOffset warnedAt) => new()
    {
        EventId = Guid.NewGuid(),
        Account = account,
        Code = RuleCodes.Ca1,
        WindowStart = warnedAt.AddHours(-1),
        WindowEnd = warnedAt,
        InvalidRecipients = 4,
        DistinctRecipients = 20,
        InvalidShare = 0.2,
        MinInvalidRecipients = 5,
        MinInvalidShare = 0.25,
        WarnAt = 0.8,
        WarnedAt = warnedAt,
    };
}

using Relayguard.Gateway.Index;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Tests.Index;

/// <summary>How a late report finds its submission when a client reuses one envelope id on many messages.</summary>
public sealed class MessageIndexTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 12, 5, 8, 0, 0, TimeSpan.Zero);

    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-index-").FullName;
    private readonly SqliteDatabase _database;
    private readonly MessageIndex _index;

    public MessageIndexTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory, "gateway.db"));
        _index = new MessageIndex(_database);
    }

    [Fact]
    public async Task Find_SharedEnvelopeId_MatchesRecipient()
    {
        // 500 messages of one campaign, one recipient each; the report is for the first one.
        for (var i = 0; i < 500; i++)
        {
            await _index.AddAsync(new IndexedMessage($"gw{i:D4}", $"m{i}@customer.test", "campaign-7", "alice", "192.0.2.1", [$"hash-{i}"], Start.AddSeconds(i)));
        }

        var found = _index.Find("campaign-7", null, ["hash-0"]);

        Assert.Equal("gw0000", found?.GatewayId);
    }

    [Fact]
    public async Task Find_NoRecipients_NewestWithId()
    {
        await _index.AddAsync(new IndexedMessage("gw-old", null, "campaign-7", "alice", "192.0.2.1", ["hash-1"], Start));
        await _index.AddAsync(new IndexedMessage("gw-new", null, "campaign-7", "alice", "192.0.2.1", ["hash-2"], Start.AddMinutes(1)));

        Assert.Equal("gw-new", _index.Find("campaign-7", null, [])?.GatewayId);
    }

    [Fact]
    public async Task Find_ByMessageId_OtherRecipient_None()
    {
        await _index.AddAsync(new IndexedMessage("gw-1", "m1@customer.test", null, "alice", "192.0.2.1", ["hash-1"], Start));

        Assert.Null(_index.Find(null, "<m1@customer.test>", ["hash-9"]));
        Assert.Equal("gw-1", _index.Find(null, "<m1@customer.test>", ["hash-1"])?.GatewayId);
    }

    [Fact]
    public async Task Find_EnvelopeIdCopiesAnotherGatewayId_NewestSubmissionToRecipient()
    {
        // Alice gave no ENVID, so hers went upstream as her gateway id. Mallory then set ENVID to that id on a message
        // to the same recipient: a bounce with that envelope id is Mallory's, the newest submission to the recipient.
        await _index.AddAsync(new IndexedMessage("gw-alice", null, "gw-alice", "alice", "192.0.2.1", ["hash-1", "hash-2"], Start));
        await _index.AddAsync(new IndexedMessage("gw-mallory", null, "gw-alice", "mallory", "192.0.2.66", ["hash-1"], Start.AddMinutes(1)));

        Assert.Equal("gw-mallory", _index.Find("gw-alice", null, ["hash-1"])?.GatewayId);
        Assert.Equal("gw-alice", _index.Find("gw-alice", null, ["hash-2"])?.GatewayId);
    }

    [Fact]
    public async Task Find_OwnIdOtherRecipient_MatchedWithoutFilter()
    {
        // The report names the gateway's own id but a recipient the message did not go to: it is still matched, so
        // the intake counts the recipient as ignored instead of the report as unmatched.
        await _index.AddAsync(new IndexedMessage("gw-1", null, "gw-1", "alice", "192.0.2.1", ["hash-1"], Start));
        await _index.AddAsync(new IndexedMessage("gw-2", null, "client-envid", "alice", "192.0.2.1", ["hash-1"], Start));

        Assert.Equal("gw-1", _index.Find("gw-1", null, ["hash-9"])?.GatewayId);
        Assert.Null(_index.Find("gw-2", null, ["hash-9"]));
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using MimeKit;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Session;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Tests.Session;

/// <summary>
/// How the queue of failure notices handles each reply of the upstream. The upstream here is a script of replies; the
/// integration tests relay notices through a real Postfix.
/// </summary>
public sealed class FailureNoticeSenderTests : IDisposable
{
    private static readonly SmtpReply Accepted = new(250, "2.0.0", "Queued as 4F3A1");
    private static readonly SmtpReply Deferred = new(451, "4.3.0", "Try again later");
    private static readonly SmtpReply Refused = new(550, "5.1.1", "No such sender here");

    private readonly string _directory = Directory.CreateTempSubdirectory("relayguard-notices-").FullName;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 12, 5, 6, 0, 0, TimeSpan.Zero));
    private readonly SqliteDatabase _database;
    private readonly FailureNoticeQueue _queue;
    private readonly ScriptedRelay _relay = new();
    private readonly FailureNoticeSender _sender;

    public FailureNoticeSenderTests()
    {
        _database = new SqliteDatabase(Path.Combine(_directory, "gateway.db"));
        _queue = new FailureNoticeQueue(_database, _time);
        _sender = new FailureNoticeSender(_queue, _relay, _time, NullLogger<FailureNoticeSender>.Instance);
    }

    [Fact]
    public async Task Taken_RemovedAndSentFromNullSender()
    {
        _relay.Replies.Enqueue(Accepted);
        await EnqueueAsync();

        Assert.Equal(1, await _sender.SendDueAsync(CancellationToken.None));

        var sent = Assert.Single(_relay.Sent);
        Assert.Equal(string.Empty, sent.ReversePath);
        Assert.Equal("alice@customer.test", Assert.Single(sent.Recipients).Address);
        Assert.Equal("Undelivered Mail Returned to Sender", sent.Message.Subject);
        Assert.Equal(0, _queue.Pending);
    }

    [Fact]
    public async Task Deferred_KeptUntilRetryIsDue()
    {
        _relay.Replies.Enqueue(Deferred);
        _relay.Replies.Enqueue(Accepted);
        await EnqueueAsync();

        Assert.Equal(0, await _sender.SendDueAsync(CancellationToken.None));
        _time.Advance(FailureNoticeSender.RetryAfter(1) - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await _sender.SendDueAsync(CancellationToken.None));
        Assert.Single(_relay.Sent);
        Assert.Equal(1, _queue.Pending);

        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(1, await _sender.SendDueAsync(CancellationToken.None));
        Assert.Equal(2, _relay.Sent.Count);
        Assert.Equal(0, _queue.Pending);
    }

    [Fact]
    public async Task UpstreamUnreachable_KeptLikeADeferral()
    {
        _relay.Replies.Enqueue(null);
        await EnqueueAsync();

        await _sender.SendDueAsync(CancellationToken.None);

        Assert.Equal(1, _queue.Pending);
        Assert.Equal(_time.GetUtcNow() + FailureNoticeSender.RetryAfter(1), _queue.NextDue());
    }

    [Fact]
    public async Task RefusedForGood_Dropped()
    {
        _relay.Replies.Enqueue(Refused);
        await EnqueueAsync();

        await _sender.SendDueAsync(CancellationToken.None);

        Assert.Equal(0, _queue.Pending);
    }

    [Fact]
    public async Task DeferredForFiveDays_Dropped()
    {
        await EnqueueAsync();
        var attempts = 0;
        while (_queue.Pending > 0)
        {
            _relay.Replies.Enqueue(Deferred);
            await _sender.SendDueAsync(CancellationToken.None);
            attempts++;
            _time.Advance(FailureNoticeSender.RetryAfter(attempts));
            Assert.True(attempts < 200, "the notice was never dropped");
        }

        // Attempts at 0, 1, 3, 7, 15, 31 and 63 minutes, then hourly: the last at 7,143 minutes, since the next
        // would come after five days (7,200 minutes).
        Assert.Equal(125, _relay.Sent.Count);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 2)]
    [InlineData(6, 32)]
    [InlineData(7, 60)]
    [InlineData(40, 60)]
    public void RetryAfter_DoublesUpToAnHour(int attempts, int minutes)
    {
        Assert.Equal(TimeSpan.FromMinutes(minutes), FailureNoticeSender.RetryAfter(attempts));
    }

    public void Dispose()
    {
        _database.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private Task EnqueueAsync()
    {
        var notice = new MimeMessage { Subject = "Undelivered Mail Returned to Sender" };
        notice.From.Add(new MailboxAddress("Mail Delivery System", "MAILER-DAEMON@gateway.test"));
        notice.To.Add(MailboxAddress.Parse("alice@customer.test"));
        notice.Body = new TextPart("plain") { Text = "The upstream refused nobody@example.net." };
        return _queue.EnqueueAsync("01NOTICE", "alice@customer.test", notice, CancellationToken.None);
    }

    /// <summary>Replies to each message with the next reply in <see cref="Replies"/>; null stands for an upstream that cannot be reached.</summary>
    private sealed class ScriptedRelay : IMessageRelay
    {
        public Queue<SmtpReply?> Replies { get; } = new();

        public List<OutgoingMessage> Sent { get; } = [];

        public Task<RelayResult> RelayAsync(OutgoingMessage message, CancellationToken cancellationToken)
        {
            Sent.Add(message);
            var reply = Replies.Dequeue() ?? throw new IOException("Connection refused");
            return Task.FromResult(new RelayResult(reply.Code < 400, reply, []));
        }
    }
}

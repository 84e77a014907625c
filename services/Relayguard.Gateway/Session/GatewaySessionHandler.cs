using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Relayguard.Contracts;
using Relayguard.Gateway.Blocks;
using Relayguard.Gateway.Events;
using Relayguard.Gateway.Identity;
using Relayguard.Gateway.Index;
using Relayguard.Gateway.Relay;
using Relayguard.Gateway.Scanning;
using Relayguard.Gateway.Smtp;
using Relayguard.ServiceDefaults;

namespace Relayguard.Gateway.Session;

/// <summary>
/// The gateway's rules on each SMTP session: who may submit (AUTH or a trusted range), which blocks refuse
/// MAIL FROM, and at the end of DATA the BO1 check, the spam scan and the relay. Every transaction that
/// reaches MAIL FROM ends in a <see cref="MessageSubmitted"/> event, relayed or refused.
/// </summary>
public sealed partial class GatewaySessionHandler : ISmtpSessionHandler
{
    private const string AccountItem = "account";
    private const string ClientIpItem = "client-ip";

    private readonly TrustedNetworks _trusted;
    private readonly AccountStore _accounts;
    private readonly BlockCache _blocks;
    private readonly EventOutbox _outbox;
    private readonly MessageIndex _index;
    private readonly RspamdClient _scanner;
    private readonly IMessageRelay _relay;
    private readonly IBounceDetector _bounces;
    private readonly Replies _replies;
    private readonly RecipientHasher _hasher;
    private readonly GatewayOptions _options;
    private readonly LimitsOptions _limits;
    private readonly RspamdOptions _scannerOptions;
    private readonly TimeProvider _time;
    private readonly ILogger<GatewaySessionHandler> _logger;
    private readonly ConcurrentDictionary<string, int> _sessionsPerIp = new(StringComparer.Ordinal);

    public GatewaySessionHandler(
        TrustedNetworks trusted,
        AccountStore accounts,
        BlockCache blocks,
        EventOutbox outbox,
        MessageIndex index,
        RspamdClient scanner,
        IMessageRelay relay,
        IBounceDetector bounces,
        Replies replies,
        RecipientHasher hasher,
        IOptions<GatewayOptions> options,
        IOptions<LimitsOptions> limits,
        IOptions<RspamdOptions> scannerOptions,
        TimeProvider time,
        ILogger<GatewaySessionHandler> logger)
    {
        _trusted = trusted;
        _accounts = accounts;
        _blocks = blocks;
        _outbox = outbox;
        _index = index;
        _scanner = scanner;
        _relay = relay;
        _bounces = bounces;
        _replies = replies;
        _hasher = hasher;
        _options = options.Value;
        _limits = limits.Value;
        _scannerOptions = scannerOptions.Value;
        _time = time;
        _logger = logger;
    }

    public ValueTask<SmtpReply?> OnConnectedAsync(SmtpSessionContext session, CancellationToken cancellationToken)
    {
        var address = session.RemoteEndPoint.Address;
        var clientIp = IpKeys.AddressText(address);
        session.Items[ClientIpItem] = clientIp;
        var trusted = _trusted.Match(address, out var trustedAccount);
        session.Items[SessionItems.Trusted] = trusted;
        session.Items[AccountItem] = trustedAccount;

        var count = _sessionsPerIp.AddOrUpdate(clientIp, 1, (_, n) => n + 1);
        session.Items["counted"] = true;
        if (!trusted && _limits.SessionsPerIp > 0 && count > _limits.SessionsPerIp)
        {
            LogTooManySessions(_logger, clientIp, count);
            return ValueTask.FromResult<SmtpReply?>(new SmtpReply(421, "4.7.0", "Too many connections from your address, try again later") { CloseConnection = true });
        }

        return ValueTask.FromResult<SmtpReply?>(null);
    }

    public void OnDisconnected(SmtpSessionContext session)
    {
        if (session.Items.ContainsKey("counted"))
        {
            var clientIp = ClientIp(session);
            var left = _sessionsPerIp.AddOrUpdate(clientIp, 0, (_, n) => n - 1);
            if (left <= 0)
            {
                _sessionsPerIp.TryRemove(new KeyValuePair<string, int>(clientIp, left));
            }
        }
    }

    public async ValueTask<SmtpReply> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken)
    {
        // PBKDF2 is slow on purpose; keep it off the connection's I/O path.
        var account = await Task.Run(() => _accounts.Verify(userName, password), cancellationToken);
        if (account is null)
        {
            LogAuthFailed(_logger, ClientIp(session), userName);
            return new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
        }

        session.Items[AccountItem] = account;
        LogAuthSucceeded(_logger, ClientIp(session), account);
        return new SmtpReply(235, "2.7.0", "Authentication successful");
    }

    public ValueTask<SmtpReply> MailFromAsync(SmtpSessionContext session, SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        var trusted = IsTrusted(session);
        if (session.Account is null && !trusted)
        {
            return ValueTask.FromResult(Replies.AuthenticationRequired);
        }

        var account = Account(session);
        var block = _blocks.Find(account, session.RemoteEndPoint.Address, transaction.IsNullSender);
        if (block is not null)
        {
            var reply = _replies.ForBlock(block);
            LogRefusedAtMail(_logger, transaction.Id, account, ClientIp(session), block.Code, block.Kind, block.Subject);
            Publish(session, transaction, [], 0, ScanResult.NotScanned(), SubmissionOutcomes.Refused, block.Code, "mail", reply);
            return ValueTask.FromResult(reply);
        }

        transaction.Items["started"] = _time.GetUtcNow();
        return ValueTask.FromResult(new SmtpReply(250, "2.1.0", "Sender OK"));
    }

    public ValueTask<SmtpReply> RcptToAsync(SmtpSessionContext session, SmtpTransaction transaction, SmtpRecipient recipient, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SmtpReply(250, "2.1.5", "Recipient OK"));

    public void OnTransactionAbandoned(SmtpSessionContext session, SmtpTransaction transaction, SmtpReply? refusal)
    {
        if (refusal is null)
        {
            return;
        }

        var outcome = refusal.IsTransient ? SubmissionOutcomes.Deferred : SubmissionOutcomes.Refused;
        Publish(session, transaction, Hashes(transaction), 0, ScanResult.NotScanned(), outcome, null, "data", refusal);
    }

    private static bool IsTrusted(SmtpSessionContext session) =>
        session.Items.TryGetValue(SessionItems.Trusted, out var trusted) && trusted is true;

    /// <summary>The account mail is counted under: the AUTH login, else the account named for a trusted range.</summary>
    private static string? Account(SmtpSessionContext session) =>
        session.Items.TryGetValue(AccountItem, out var account) ? account as string : null;

    private static string ClientIp(SmtpSessionContext session) =>
        session.Items.TryGetValue(ClientIpItem, out var ip) && ip is string text ? text : IpKeys.AddressText(session.RemoteEndPoint.Address);

    private List<string> Hashes(SmtpTransaction transaction) =>
        transaction.Recipients.Select(r => _hasher.Hash(r.Address)).Distinct(StringComparer.Ordinal).ToList();

    private void Publish(SmtpSessionContext session, SmtpTransaction transaction, IReadOnlyList<string> recipientHashes, long size, ScanResult scan, string outcome, string? code, string? stage, SmtpReply reply, bool relayAttempted = false)
    {
        var message = new MessageSubmitted
        {
            EventId = Guid.NewGuid(),
            GatewayMessageId = transaction.Id,
            SubmittedAt = _time.GetUtcNow(),
            Account = Account(session),
            ClientIp = ClientIp(session),
            NullSender = transaction.IsNullSender,
            RecipientHashes = recipientHashes,
            RecipientCount = transaction.Recipients.Count,
            Size = size,
            SpamScore = scan.Score,
            SpamAction = scan.Action,
            SpamSymbols = scan.TopSymbols,
            Outcome = outcome,
            RefusalCode = code,
            RefusalStage = outcome == SubmissionOutcomes.Relayed ? null : stage,
            Reply = reply.ToString(),
            RelayAttempted = relayAttempted,
        };
        _outbox.Enqueue(message, message.EventId);
    }

    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "AUTH failed from {ClientIp} for user {UserName}.")]
    private static partial void LogAuthFailed(ILogger logger, string clientIp, string userName);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Debug, Message = "AUTH succeeded from {ClientIp} for account {Account}.")]
    private static partial void LogAuthSucceeded(ILogger logger, string clientIp, string account);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "MAIL FROM refused for message {MessageId}: account {Account}, client {ClientIp}, code {Code} on {Kind} {Subject}.")]
    private static partial void LogRefusedAtMail(ILogger logger, string messageId, string? account, string clientIp, string code, string kind, string subject);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Connection from {ClientIp} refused: {Sessions} sessions from that address.")]
    private static partial void LogTooManySessions(ILogger logger, string clientIp, int sessions);
}

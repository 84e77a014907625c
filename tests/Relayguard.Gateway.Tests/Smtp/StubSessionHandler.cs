using System.Collections.Concurrent;
using Relayguard.Gateway.Smtp;

namespace Relayguard.Gateway.Tests.Smtp;

/// <summary>A session handler that accepts every sender and recipient, logs in user "user" with password "secret", and records each message.</summary>
internal sealed class StubSessionHandler : ISmtpSessionHandler
{
    public const string User = "user";
    public const string Password = "secret";

    public ConcurrentQueue<ReceivedMessage> Messages { get; } = new();

    public ConcurrentQueue<SmtpReply?> Abandoned { get; } = new();

    public ValueTask<SmtpReply?> OnConnectedAsync(SmtpSessionContext session, CancellationToken cancellationToken) => ValueTask.FromResult<SmtpReply?>(null);

    public ValueTask<SmtpReply> AuthenticateAsync(SmtpSessionContext session, string userName, string password, CancellationToken cancellationToken) =>
        ValueTask.FromResult(userName == User && password == Password
            ? new SmtpReply(235, "2.7.0", "Authentication successful")
            : new SmtpReply(535, "5.7.8", "Authentication credentials invalid"));

    public ValueTask<SmtpReply> MailFromAsync(SmtpSessionContext session, SmtpTransaction transaction, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SmtpReply(250, "2.1.0", "Sender OK"));

    public ValueTask<SmtpReply> RcptToAsync(SmtpSessionContext session, SmtpTransaction transaction, SmtpRecipient recipient, CancellationToken cancellationToken) =>
        ValueTask.FromResult(new SmtpReply(250, "2.1.5", "Recipient OK"));

    public async ValueTask<SmtpReply> MessageAsync(SmtpSessionContext session, SmtpTransaction transaction, MessageData message, CancellationToken cancellationToken)
    {
        // Only small messages are kept whole; for large ones the length and where the data was kept are enough.
        byte[] content = [];
        if (message.Length <= 1024 * 1024)
        {
            await using var stream = message.OpenRead();
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy, cancellationToken);
            content = copy.ToArray();
        }

        Messages.Enqueue(new ReceivedMessage(transaction.ReversePath, transaction.Recipients.Select(r => r.Address).ToList(), content, message.Length, message.IsSpooledToDisk, message.Had8BitData, session.Account));
        return new SmtpReply(250, "2.0.0", $"Message accepted as {transaction.Id}");
    }

    public void OnTransactionAbandoned(SmtpSessionContext session, SmtpTransaction transaction, SmtpReply? refusal) => Abandoned.Enqueue(refusal);

    public void OnDisconnected(SmtpSessionContext session)
    {
    }

    public sealed record ReceivedMessage(string Sender, IReadOnlyList<string> Recipients, byte[] Content, long Length, bool SpooledToDisk, bool Had8Bit, string? Account);
}

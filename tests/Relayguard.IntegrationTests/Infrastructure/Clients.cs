using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace Relayguard.IntegrationTests.Infrastructure;

/// <summary>MailKit clients and messages as a customer's mail program would send them.</summary>
public static class Clients
{
    public static async Task<SmtpClient> ConnectAsync(RelayguardInstance instance, string? user = null, string? password = null)
    {
        var client = new SmtpClient { Timeout = 30_000 };
        await client.ConnectAsync(instance.SmtpEndPoint.Address.ToString(), instance.SmtpEndPoint.Port, SecureSocketOptions.None);
        if (user is not null)
        {
            await client.AuthenticateAsync(user, password ?? string.Empty);
        }

        return client;
    }

    public static MimeMessage Message(string from, string subject, string body, params string[] to)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(from));
        foreach (var recipient in to)
        {
            message.To.Add(MailboxAddress.Parse(recipient));
        }

        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId("client.test");
        message.Body = new TextPart("plain") { Text = body };
        return message;
    }
}

using System.Text;
using static Relayguard.Bounces.Tests.TestMessages;

namespace Relayguard.Bounces.Tests;

public sealed class MalformedInputTests
{
    public static TheoryData<string, byte[]> Inputs => new()
    {
        { "empty", [] },
        { "one blank line", "\r\n"u8.ToArray() },
        { "random bytes", RandomBytes(4096) },
        { "header without body", "Subject: x"u8.ToArray() },
        { "report without parts", Encoding.ASCII.GetBytes("Content-Type: multipart/report; report-type=delivery-status\r\n\r\n") },
        { "truncated report", Encoding.ASCII.GetBytes(Report("Final-Recipient: rfc822; a@example.org\nAction: failed")[..300]) },
        { "nested multiparts", Encoding.ASCII.GetBytes(NestedMultiparts(300)) },
        { "long line", Encoding.ASCII.GetBytes("Subject: failure notice\r\n\r\n" + new string('<', 200_000) + "@" + new string('a', 200_000)) },
        { "invalid charset", Encoding.ASCII.GetBytes("Subject: failure notice\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\n<a@example.org>:\r\nUser unknown\r\n") },
        { "broken base64", Encoding.ASCII.GetBytes("Subject: failure notice\r\nContent-Transfer-Encoding: base64\r\n\r\n%%%%not base64%%%%\r\n") },
    };

    [Theory]
    [MemberData(nameof(Inputs))]
    public void Classify_NeverThrows(string name, byte[] input)
    {
        using var stream = new MemoryStream(input);

        var result = new BounceClassifier().Classify(stream);

        Assert.False(string.IsNullOrEmpty(result.Why), name);
        Assert.NotNull(result.Recipients);
    }

    [Fact]
    public void Classify_NullStreamThrows()
    {
        Assert.Throws<ArgumentNullException>(() => new BounceClassifier().Classify((Stream)null!));
    }

    [Fact]
    public void Classify_NonSeekableStream()
    {
        var bytes = Encoding.UTF8.GetBytes(Report("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1"));
        using var stream = new NonSeekableStream(bytes);

        var result = new BounceClassifier().Classify(stream);

        Assert.Equal(MessageKind.DeliveryReport, result.Kind);
    }

    [Fact]
    public void Classify_MutatedReportsNeverThrow()
    {
        var seeds = new[]
        {
            Report("Final-Recipient: rfc822; gone@example.org\nAction: failed\nStatus: 5.1.1\nDiagnostic-Code: smtp; 550 5.1.1 User unknown"),
            Plain("From: MAILER-DAEMON@mx.example.net\nSubject: failure notice", "<gone@example.org>:\nRemote host said: 550 5.1.1 User unknown\n\n--- Below this line is a copy of the message.\n\nTo: gone@example.org"),
        };
        var random = new Random(11);
        var classifier = new BounceClassifier();

        foreach (var seed in seeds.Select(Encoding.UTF8.GetBytes))
        {
            for (var i = 0; i < 300; i++)
            {
                var mutated = Mutate(seed, random);
                using var stream = new MemoryStream(mutated);

                var result = classifier.Classify(stream);

                Assert.NotNull(result.Why);
            }
        }
    }

    private static byte[] Mutate(byte[] seed, Random random)
    {
        var copy = (byte[])seed.Clone();
        for (var i = 0; i < 10; i++)
        {
            copy[random.Next(copy.Length)] = (byte)random.Next(256);
        }

        return copy[..random.Next(1, copy.Length + 1)];
    }

    private static byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        new Random(7).NextBytes(bytes);
        return bytes;
    }

    private static string NestedMultiparts(int depth)
    {
        var builder = new StringBuilder("Subject: failure notice\r\n");
        for (var i = 0; i < depth; i++)
        {
            builder.Append($"Content-Type: multipart/mixed; boundary=\"n{i}\"\r\n\r\n--n{i}\r\n");
        }

        return builder.Append("Content-Type: text/plain\r\n\r\n<a@example.org>:\r\nUser unknown\r\n").ToString();
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

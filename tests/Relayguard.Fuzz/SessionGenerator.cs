using System.Globalization;
using System.Text;

namespace Relayguard.Fuzz;

/// <summary>
/// Makes random and mutated SMTP sessions from one seeded generator: complete authenticated transactions, the same
/// with random byte and line mutations, relay attempts without valid AUTH, random command sequences, random bytes,
/// stalled sessions and oversized input.
/// </summary>
public sealed class SessionGenerator
{
    public const string User = "fuzz";
    public const string Password = "fuzz-passw0rd";

    private static readonly string[] Verbs = ["EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "EXPN", "HELP", "AUTH", "STARTTLS", "BDAT", "XCLIENT", "GET"];
    private static readonly byte[] Interesting = [0, (byte)'\r', (byte)'\n', (byte)'.', 0xFF, 0xC3, (byte)' ', (byte)':', (byte)'<', (byte)'>', (byte)'@', (byte)'"', (byte)'\\', (byte)'%', (byte)'!', 0x7F, (byte)'\t'];

    private readonly Random _random;

    public SessionGenerator(int seed)
    {
        _random = new Random(seed);
    }

    public FuzzSession Next(int number)
    {
        var roll = _random.Next(100);
        return roll switch
        {
            < 20 => Build(number, "valid", Valid(), stall: false),
            < 55 => Build(number, "mutated", Mutate(Valid()), stall: false),
            < 70 => Build(number, "relay-attempt", RelayAttempt(), stall: false),
            < 85 => Build(number, "command-soup", CommandSoup(), stall: false),
            < 95 => Build(number, "random-bytes", RandomBytes(_random.Next(1, 4096)), stall: false),
            < 98 => Build(number, "stall", Truncate(Valid()), stall: true),
            _ => Build(number, "oversized", Oversized(), stall: false),
        };
    }

    /// <summary>A complete authenticated transaction that the gateway must accept.</summary>
    public FuzzSession NextValid(int number) => Build(number, "valid", Valid(), stall: false);

    private FuzzSession Build(int number, string kind, byte[] bytes, bool stall)
    {
        // Split into chunks at random places, so that commands and the end of data straddle packets.
        var chunks = new List<byte[]>();
        var offset = 0;
        while (offset < bytes.Length)
        {
            var size = _random.Next(4) == 0 ? _random.Next(1, 16) : _random.Next(1, 64 * 1024);
            size = Math.Min(size, bytes.Length - offset);
            chunks.Add(bytes[offset..(offset + size)]);
            offset += size;
        }

        var delay = _random.Next(10) == 0 ? _random.Next(1, 5) : 0;
        return new FuzzSession(number, kind, chunks, stall, delay);
    }

    private byte[] Valid()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"EHLO client{_random.Next(1000)}.test\r\n");
        switch (_random.Next(3))
        {
            case 0:
                text.Append("AUTH PLAIN ").Append(Base64($"\0{User}\0{Password}")).Append("\r\n");
                break;
            case 1:
                text.Append("AUTH PLAIN\r\n").Append(Base64($"{User}\0{User}\0{Password}")).Append("\r\n");
                break;
            default:
                text.Append("AUTH LOGIN\r\n").Append(Base64(User)).Append("\r\n").Append(Base64(Password)).Append("\r\n");
                break;
        }

        var transactions = _random.Next(1, 3);
        for (var t = 0; t < transactions; t++)
        {
            text.Append(CultureInfo.InvariantCulture, $"MAIL FROM:<sender{_random.Next(100)}@customer.test>{(_random.Next(2) == 0 ? " BODY=8BITMIME" : string.Empty)}\r\n");
            var recipients = _random.Next(1, 4);
            for (var r = 0; r < recipients; r++)
            {
                text.Append(CultureInfo.InvariantCulture, $"RCPT TO:<rcpt{_random.Next(1000)}@example.net>\r\n");
            }

            text.Append("DATA\r\n");
            text.Append(CultureInfo.InvariantCulture, $"From: sender@customer.test\r\nTo: rcpt@example.net\r\nSubject: fuzz {_random.Next()}\r\nMessage-ID: <{Guid.NewGuid():N}@customer.test>\r\n\r\n");
            var lines = _random.Next(0, 40);
            for (var l = 0; l < lines; l++)
            {
                var line = RandomPrintable(_random.Next(0, 120));
                if (_random.Next(10) == 0)
                {
                    line = "." + line;
                }

                // Dot-stuffing as a client must do it.
                text.Append(line.StartsWith('.') ? "." + line : line).Append("\r\n");
            }

            text.Append(".\r\n");
        }

        if (_random.Next(4) != 0)
        {
            text.Append("QUIT\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] RelayAttempt()
    {
        var text = new StringBuilder("EHLO relay.test\r\n");
        switch (_random.Next(4))
        {
            case 0:
                text.Append("AUTH PLAIN ").Append(Base64($"\0{User}\0wrong-{_random.Next()}")).Append("\r\n");
                break;
            case 1:
                text.Append("AUTH LOGIN\r\n").Append(Base64("nobody")).Append("\r\n").Append(Base64(Password)).Append("\r\n");
                break;
            case 2:
                text.Append("AUTH PLAIN *\r\n");
                break;
        }

        string[] recipients = ["victim@example.net", "@a.example,@b.example:victim@example.net", "victim%example.net@customer.test", "\"victim@example.net\"@customer.test", "victim@example.net.", "example.net!victim@customer.test"];
        text.Append(CultureInfo.InvariantCulture, $"MAIL FROM:<{(_random.Next(3) == 0 ? string.Empty : "spam@example.org")}>\r\n");
        text.Append(CultureInfo.InvariantCulture, $"RCPT TO:<{recipients[_random.Next(recipients.Length)]}>\r\n");
        text.Append("DATA\r\nSubject: relay\r\n\r\nspam\r\n.\r\nQUIT\r\n");
        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] CommandSoup()
    {
        var text = new StringBuilder();
        var count = _random.Next(1, 40);
        for (var i = 0; i < count; i++)
        {
            var verb = Verbs[_random.Next(Verbs.Length)];
            if (_random.Next(3) == 0)
            {
                verb = verb.ToLowerInvariant();
            }

            var argument = _random.Next(6) switch
            {
                0 => string.Empty,
                1 => "FROM:<" + RandomPrintable(_random.Next(0, 40)) + ">",
                2 => "TO:<" + RandomPrintable(_random.Next(0, 40)) + "@example.net> NOTIFY=SUCCESS",
                3 => (_random.Next(2) == 0 ? "PLAIN " : "LOGIN ") + Base64(RandomPrintable(_random.Next(0, 60))),
                4 => RandomPrintable(_random.Next(0, 300)),
                _ => "FROM:<a@b.test> SIZE=" + _random.NextInt64().ToString(CultureInfo.InvariantCulture),
            };
            text.Append(verb);
            if (argument.Length > 0)
            {
                text.Append(' ').Append(argument);
            }

            text.Append(_random.Next(20) == 0 ? "\n" : "\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private byte[] Mutate(byte[] input)
    {
        var bytes = new List<byte>(input);
        var mutations = _random.Next(1, 6);
        for (var m = 0; m < mutations && bytes.Count > 0; m++)
        {
            var at = _random.Next(bytes.Count);
            switch (_random.Next(9))
            {
                case 0:
                    bytes[at] ^= (byte)(1 << _random.Next(8));
                    break;
                case 1:
                    bytes.Insert(at, Interesting[_random.Next(Interesting.Length)]);
                    break;
                case 2:
                    bytes.RemoveRange(at, Math.Min(_random.Next(1, 64), bytes.Count - at));
                    break;
                case 3:
                    var length = Math.Min(_random.Next(1, 256), bytes.Count - at);
                    bytes.InsertRange(_random.Next(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 4:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 5:
                    bytes.InsertRange(at, "\r\n.\r\n"u8.ToArray());
                    break;
                case 6:
                    // A bare LF where a CRLF was: the smuggling pattern.
                    var crlf = FindCrLf(bytes, at);
                    if (crlf >= 0)
                    {
                        bytes.RemoveAt(crlf);
                    }

                    break;
                case 7:
                    bytes.InsertRange(at, Encoding.UTF8.GetBytes("MAIL FROM:<evil@attacker.test>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"));
                    break;
                default:
                    bytes[at] = Interesting[_random.Next(Interesting.Length)];
                    break;
            }
        }

        return [.. bytes];
    }

    private byte[] Truncate(byte[] input) => input[..Math.Max(1, _random.Next(input.Length))];

    private byte[] Oversized()
    {
        var text = new StringBuilder("EHLO big.test\r\n");
        if (_random.Next(2) == 0)
        {
            // One endless command line.
            text.Append("NOOP ").Append('x', _random.Next(100_000, 2_000_000)).Append("\r\nQUIT\r\n");
            return Encoding.ASCII.GetBytes(text.ToString());
        }

        text.Append("AUTH PLAIN ").Append(Base64($"\0{User}\0{Password}")).Append("\r\n");
        text.Append("MAIL FROM:<big@customer.test>\r\nRCPT TO:<r@example.net>\r\nDATA\r\nSubject: big\r\n\r\n");
        var lines = _random.Next(1_000, 5_000);
        var line = new string('y', 998) + "\r\n";
        for (var i = 0; i < lines; i++)
        {
            text.Append(line);
        }

        text.Append(".\r\nQUIT\r\n");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private string RandomPrintable(int length)
    {
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = _random.Next(30) == 0 ? (char)_random.Next(0xA0, 0x2FF) : (char)_random.Next(0x20, 0x7F);
        }

        return new string(chars);
    }

    private static int FindCrLf(List<byte> bytes, int from)
    {
        for (var i = from; i + 1 < bytes.Count; i++)
        {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n')
            {
                return i;
            }
        }

        return -1;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}

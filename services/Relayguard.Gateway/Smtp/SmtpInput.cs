using System.Buffers;
using System.IO.Pipelines;
using System.Text;

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// Reads command lines and message data from one connection with bounded memory: a line longer than
/// its limit is discarded as it arrives, and message data is streamed into <see cref="MessageData"/>.
/// Replies are written by the caller and flushed only before this reader waits for the network,
/// so a pipelining client gets one packet per batch of commands.
/// </summary>
internal sealed class SmtpInput
{
    private const byte Cr = (byte)'\r';
    private const byte Lf = (byte)'\n';

    private readonly PipeReader _reader;
    private readonly Func<ValueTask> _flush;
    private ReadOnlySequence<byte> _buffer;
    private bool _holdsBuffer;
    private bool _completed;
    private DataState _state;

    public SmtpInput(PipeReader reader, Func<ValueTask> flush)
    {
        _reader = reader;
        _flush = flush;
    }

    private enum DataState
    {
        LineStart,
        MidLine,
        AfterCr,
        Dot,
        DotCr,
    }

    /// <summary>True when bytes that the client sent are waiting unread, for example after a pipelined STARTTLS.</summary>
    public bool HasBufferedInput => _holdsBuffer && !_buffer.IsEmpty;

    /// <summary>Reads one line without its line ending. Returns <see cref="LineResult.TooLong"/> after discarding an over-long line, and null at the end of the stream.</summary>
    public async ValueTask<LineResult?> ReadLineAsync(int maxLength, CancellationToken cancellationToken)
    {
        var discarding = false;
        while (true)
        {
            if (!_holdsBuffer)
            {
                await FillAsync(cancellationToken);
            }

            var position = _buffer.PositionOf(Lf);
            if (position is { } lf)
            {
                var lineWithCr = _buffer.Slice(0, lf);
                _buffer = _buffer.Slice(_buffer.GetPosition(1, lf));
                // The limit counts the whole line, its CRLF included.
                if (discarding || lineWithCr.Length + 1 > maxLength)
                {
                    return LineResult.TooLong;
                }

                return Decode(lineWithCr);
            }

            if (_buffer.Length > maxLength)
            {
                discarding = true;
                _buffer = _buffer.Slice(_buffer.End);
            }

            if (_completed)
            {
                return null;
            }

            Release();
        }
    }

    /// <summary>
    /// Streams message data into <paramref name="data"/> until the line that holds only a dot. Only
    /// CRLF.CRLF ends the data: a bare LF or CR never starts a line, so no SMTP smuggling gets through.
    /// A bare line ending is recorded, and written as CRLF when <paramref name="normalize"/> is set.
    /// Returns false when the connection closed first. <paramref name="received"/> runs after each read that brought
    /// data, so the caller can restart its timeout for the next pause.
    /// </summary>
    public async ValueTask<bool> ReadDataAsync(MessageData data, bool normalize, Action? received, CancellationToken cancellationToken)
    {
        _state = DataState.LineStart;
        while (true)
        {
            if (!_holdsBuffer)
            {
                await FillAsync(cancellationToken);
                received?.Invoke();
            }

            var offset = 0L;
            foreach (var segment in _buffer)
            {
                var consumed = ProcessData(segment.Span, data, normalize, out var ended);
                if (ended)
                {
                    _buffer = _buffer.Slice(offset + consumed);
                    return true;
                }

                offset += segment.Length;
            }

            _buffer = _buffer.Slice(_buffer.End);
            if (_completed)
            {
                return false;
            }

            Release();
        }
    }

    /// <summary>Drops everything the client sent but this reader has not yet read (RFC 3207 after STARTTLS).</summary>
    public void DiscardBuffered()
    {
        if (_holdsBuffer)
        {
            _buffer = _buffer.Slice(_buffer.End);
        }
    }

    /// <summary>Returns buffers to the pipe so that the stream can be handed to TLS.</summary>
    public void Detach()
    {
        if (_holdsBuffer)
        {
            _reader.AdvanceTo(_buffer.Start, _buffer.End);
            _holdsBuffer = false;
        }
    }

    private int ProcessData(ReadOnlySpan<byte> span, MessageData data, bool normalize, out bool ended)
    {
        ended = false;
        var i = 0;
        while (i < span.Length)
        {
            switch (_state)
            {
                case DataState.LineStart:
                    if (span[i] == (byte)'.')
                    {
                        _state = DataState.Dot;
                        i++;
                    }
                    else
                    {
                        _state = DataState.MidLine;
                    }

                    break;

                case DataState.Dot:
                    // A dot that starts a line is either the end marker (".\r\n") or stuffing, which is removed.
                    if (span[i] == Cr)
                    {
                        _state = DataState.DotCr;
                        i++;
                    }
                    else
                    {
                        _state = DataState.MidLine;
                    }

                    break;

                case DataState.DotCr:
                    if (span[i] == Lf)
                    {
                        ended = true;
                        return i + 1;
                    }

                    WriteBareLineEnding(data, Cr, normalize);
                    _state = DataState.MidLine;
                    break;

                case DataState.AfterCr:
                    if (span[i] == Lf)
                    {
                        data.Write("\r\n"u8);
                        _state = DataState.LineStart;
                        i++;
                    }
                    else
                    {
                        WriteBareLineEnding(data, Cr, normalize);
                        _state = DataState.MidLine;
                    }

                    break;

                default:
                    var rest = span[i..];
                    var stop = rest.IndexOfAny(Cr, Lf);
                    var run = stop < 0 ? rest : rest[..stop];
                    if (!run.IsEmpty)
                    {
                        if (run.IndexOfAnyInRange((byte)0x80, (byte)0xFF) >= 0)
                        {
                            data.Had8BitData = true;
                        }

                        if (run.IndexOf((byte)0) >= 0)
                        {
                            data.HadNulByte = true;
                        }

                        data.Write(run);
                    }

                    if (stop < 0)
                    {
                        return span.Length;
                    }

                    i += stop;
                    if (span[i] == Cr)
                    {
                        _state = DataState.AfterCr;
                    }
                    else
                    {
                        WriteBareLineEnding(data, Lf, normalize);
                    }

                    i++;
                    break;
            }
        }

        return span.Length;
    }

    private static void WriteBareLineEnding(MessageData data, byte ending, bool normalize)
    {
        data.HadBareLineEnding = true;
        if (normalize)
        {
            data.Write("\r\n"u8);
        }
        else
        {
            data.Write([ending]);
        }
    }

    private async ValueTask FillAsync(CancellationToken cancellationToken)
    {
        await _flush();
        var result = await _reader.ReadAsync(cancellationToken);
        _buffer = result.Buffer;
        _completed = result.IsCompleted;
        _holdsBuffer = true;
    }

    private void Release()
    {
        _reader.AdvanceTo(_buffer.Start, _buffer.End);
        _holdsBuffer = false;
    }

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static LineResult Decode(ReadOnlySequence<byte> line)
    {
        var bareLf = true;
        if (line.Length > 0 && line.Slice(line.Length - 1).FirstSpan[0] == Cr)
        {
            line = line.Slice(0, line.Length - 1);
            bareLf = false;
        }

        try
        {
            return new LineResult(StrictUtf8.GetString(line), false) { EndedWithBareLf = bareLf };
        }
        catch (DecoderFallbackException)
        {
            return new LineResult(Encoding.UTF8.GetString(line), false) { IsInvalidUtf8 = true, EndedWithBareLf = bareLf };
        }
    }

    public sealed record LineResult(string Text, bool IsTooLong)
    {
        /// <summary>True when the line was not valid UTF-8; <see cref="Text"/> then has U+FFFD in place of the invalid bytes.</summary>
        public bool IsInvalidUtf8 { get; init; }

        /// <summary>True when the line ended with LF alone, which RFC 5321 section 2.3.8 does not allow.</summary>
        public bool EndedWithBareLf { get; init; }

        public static readonly LineResult TooLong = new(string.Empty, true);
    }
}

namespace Relayguard.Gateway.Smtp;

/// <summary>
/// The message data of one transaction after dot-unstuffing, kept in memory up to a threshold and in a
/// temporary file beyond it, so a large message costs disk, not memory.
/// </summary>
public sealed class MessageData : IDisposable
{
    private readonly string _spoolDirectory;
    private readonly int _threshold;
    private readonly long _maxSize;
    private MemoryStream? _memory;
    private FileStream? _file;

    public MessageData(string spoolDirectory, int threshold, long maxSize)
    {
        _spoolDirectory = spoolDirectory;
        _threshold = threshold;
        _maxSize = maxSize;
        _memory = new MemoryStream();
    }

    /// <summary>Octets received, also those discarded after the size limit was passed.</summary>
    public long Length { get; private set; }

    public bool TooLarge => Length > _maxSize;

    /// <summary>True when the data held a CR or LF that was not part of a CRLF pair.</summary>
    public bool HadBareLineEnding { get; internal set; }

    public bool HadNulByte { get; internal set; }

    public bool Had8BitData { get; internal set; }

    public bool IsSpooledToDisk => _file is not null;

    /// <summary>
    /// Why writing the data to the spool folder failed (a full disk, a read-only folder), or null. The rest of the
    /// data is then counted and dropped, so that the session reads to the end of DATA and can reply.
    /// </summary>
    public string? StorageError { get; private set; }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        var remaining = _maxSize - Length;
        Length += bytes.Length;
        if (remaining <= 0 || StorageError is not null)
        {
            return;
        }

        try
        {
            Store(remaining, bytes);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Fail(ex);
        }
    }

    /// <summary>Writes what is still buffered to the spool file, so that a full disk shows before the data is read.</summary>
    public void Finish()
    {
        if (_file is null || StorageError is not null)
        {
            return;
        }

        try
        {
            _file.Flush();
        }
        catch (IOException ex)
        {
            Fail(ex);
        }
    }

    public void Dispose()
    {
        CloseFile();
        _memory?.Dispose();
    }

    private void Fail(Exception ex)
    {
        StorageError = ex.Message;
        CloseFile();
        _memory = new MemoryStream();
    }

    /// <summary>Closes and so deletes the spool file; bytes still buffered for a full disk are dropped.</summary>
    private void CloseFile()
    {
        try
        {
            _file?.Dispose();
        }
        catch (IOException)
        {
            // Closing flushes the buffer, which fails again on a full disk; the handle is closed all the same.
        }

        _file = null;
    }

    private void Store(long remaining, ReadOnlySpan<byte> bytes)
    {

        if (bytes.Length > remaining)
        {
            bytes = bytes[..(int)remaining];
        }

        if (_file is null && _memory!.Length + bytes.Length > _threshold)
        {
            Directory.CreateDirectory(_spoolDirectory);
            var path = Path.Combine(_spoolDirectory, $"{Guid.NewGuid():N}.tmp");
            _file = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.Read, 81920, FileOptions.DeleteOnClose);
            _memory.Position = 0;
            _memory.CopyTo(_file);
            _memory = null;
        }

        if (_file is not null)
        {
            _file.Write(bytes);
        }
        else
        {
            _memory!.Write(bytes);
        }
    }

    /// <summary>Opens the data for reading from the start; each call returns an independent stream.</summary>
    public Stream OpenRead()
    {
        if (_file is not null)
        {
            _file.Flush();
            return new FileStream(_file.Name, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920);
        }

        return new MemoryStream(_memory!.GetBuffer(), 0, (int)_memory.Length, writable: false);
    }

}

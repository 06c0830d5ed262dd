namespace Serverless.Local.Lambda;

/// <summary>
/// Writes an on-failure record under <c>.local/failures/{function}/</c> so that it appears whole or not at all:
/// the text goes to a hidden file beside the function's folder first and is then renamed into it, so a reader
/// watching the folder (a test, <c>tail</c>, a script) never sees a half-written record.
/// </summary>
public static class FailureRecordFile
{
    public static async Task WriteAsync(string path, string text, CancellationToken cancellationToken)
    {
        var directory = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(directory);
        var partial = Path.Combine(Path.GetDirectoryName(directory)!, $".{Guid.NewGuid():N}.partial");
        try
        {
            await File.WriteAllTextAsync(partial, text, cancellationToken);
            File.Move(partial, path);
        }
        finally
        {
            File.Delete(partial);
        }
    }
}

namespace Serverless.Metering;

/// <summary>
/// The part of the upload item (<c>Serverless.Uploads.UploadItem</c>, <c>USER#{sub}</c> / <c>UPLOAD#{uploadId}</c>) that
/// the meter reads: an upload going from <see cref="Processing"/> to <see cref="Completed"/> or <see cref="Failed"/>
/// settles its hold by the rows it scored (<see cref="RowsProcessed"/> − <see cref="RowsFailed"/>), and a completed one
/// counts its <see cref="ObjectSize"/>. The Uploads group writes the item; its schema takes these names from here.
/// </summary>
public static class MeteredUpload
{
    public const string SortKeyPrefix = "UPLOAD#";
    public const string Status = "status";

    /// <summary>The <see cref="Status"/> of an upload being scored, and its two ends.</summary>
    public const string Processing = "PROCESSING";
    public const string Completed = "COMPLETED";
    public const string Failed = "FAILED";

    public const string RowsProcessed = "rowsProcessed";
    public const string RowsFailed = "rowsFailed";

    /// <summary>The uploaded object's size in bytes.</summary>
    public const string ObjectSize = "objectSize";
}

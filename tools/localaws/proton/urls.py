"""AWS Proton endpoints: JSON 1.0, every operation is a POST to / with X-Amz-Target AwsProton20200720.<Op>."""

from .responses import ProtonResponse

url_bases = [
    r"https?://proton\.(.+)\.amazonaws\.com",
]

url_paths = {
    "{0}/$": ProtonResponse.dispatch,
}

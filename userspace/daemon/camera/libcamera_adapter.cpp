// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * libcamera_adapter.cpp - the libcamera camera source behind ogate_libcamera.h.
 *
 * The only C++ in ogate. libcamera completes requests on its own thread; the
 * completion handler only appends the request to a mutex-protected queue and
 * bumps an eventfd. The daemon's thread polls that fd, takes frames with
 * ogate_lc_next() (mapped plane 0, luma extracted in lc_common.c) and gives
 * them back with ogate_lc_release(), which requeues the request: a held frame
 * is a buffer the camera cannot fill, so back-pressure is natural.
 *
 * Compiled against Debian 12's libcamera 0.0.3 and written for newer releases
 * (Raspberry Pi OS: 0.4-0.7); the differences are behind LC_AT_LEAST() below
 * and listed in docs/camera.md. Only 0.0.3 is compiled and tested here.
 */
#include <libcamera/version.h>
#include <libcamera/libcamera.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <new>
#include <string>
#include <vector>

#include <sys/eventfd.h>
#include <sys/mman.h>
#include <unistd.h>

#include "lc_common.h"
#include "ogate_libcamera.h"

#define LC_VERSION_CODE(a, b, c) ((a)*1000000 + (b)*1000 + (c))
#define LC_AT_LEAST(a, b, c) \
	(LC_VERSION_CODE(LIBCAMERA_VERSION_MAJOR, LIBCAMERA_VERSION_MINOR, \
			 LIBCAMERA_VERSION_PATCH) >= LC_VERSION_CODE(a, b, c))

#define LC_STR2(x) #x
#define LC_STR(x) LC_STR2(x)

using namespace libcamera;

namespace
{

/* libcamera allows one CameraManager per process: share it, counted. */
std::mutex manager_lock;
std::unique_ptr<CameraManager> manager;
unsigned int manager_users;

int manager_get()
{
	std::lock_guard<std::mutex> guard(manager_lock);

	if (!manager) {
		auto m = std::make_unique<CameraManager>();
		int ret = m->start();

		if (ret < 0)
			return ogate_lc_fail(ret, "libcamera CameraManager::start: %s", strerror(-ret));
		manager = std::move(m);
	}
	manager_users++;
	return 0;
}

void manager_put()
{
	std::lock_guard<std::mutex> guard(manager_lock);

	if (manager_users && --manager_users == 0) {
		manager->stop();
		manager.reset();
	}
}

struct FormatMap {
	enum ogate_lc_format fmt;
	const PixelFormat *pf;
};

/* Search order when the preferred format is not offered: cheapest luma first. */
const FormatMap format_order[] = {
	{ OGATE_LC_FMT_R8, &formats::R8 },	   { OGATE_LC_FMT_YUV420, &formats::YUV420 },
	{ OGATE_LC_FMT_NV12, &formats::NV12 },	   { OGATE_LC_FMT_RGB888, &formats::RGB888 },
	{ OGATE_LC_FMT_BGR888, &formats::BGR888 },
};

template <typename T>
bool has_control(const std::shared_ptr<Camera> &camera, const Control<T> &ctrl)
{
	/* Not count(id): up to 0.5.0 it reports every known control as present. */
	const ControlInfoMap &info = camera->controls();

	return info.find(&ctrl) != info.end();
}

enum class SlotState { Idle, Queued, Done, Held };

struct Slot {
	std::unique_ptr<Request> request;
	FrameBuffer *buffer = nullptr;
	void *map = MAP_FAILED;
	size_t map_len = 0;
	const uint8_t *plane = nullptr; /* plane 0 inside map */
	size_t plane_len = 0;
	std::vector<uint8_t> grey; /* RGB formats only */
	SlotState state = SlotState::Idle;
};

} /* namespace */

struct ogate_lc_camera {
	std::shared_ptr<Camera> camera;
	bool acquired = false;
	bool connected = false;
	std::unique_ptr<CameraConfiguration> config;
	Stream *stream = nullptr;
	std::unique_ptr<FrameBufferAllocator> allocator;
	std::vector<Slot> slots;
	std::unique_ptr<ControlList> start_controls;
	struct ogate_lc_config have = {};
	uint32_t stride = 0;

	int efd = -1;
	std::mutex lock; /* done, and the eventfd level */
	std::deque<Request *> done;
	std::atomic<bool> running{ false };
	std::atomic<uint64_t> failed{ 0 };

	unsigned int held = 0;
	struct ogate_lc_seq seq = {};
	int64_t last_ts = 0; /* of the previous frame since start, 0 = none */
	uint64_t frames = 0;
	uint64_t dropped = 0;

	/* libcamera's thread: hand the request over, nothing else. */
	void complete(Request *request)
	{
		if (request->status() == Request::RequestCancelled && !running.load()) {
			/* stopping: the slot is requeued by the next start */
			slots[request->cookie()].state = SlotState::Idle;
			return;
		}
		/* a failure while running goes through next() too, which counts it
		 * and requeues the buffer */
		std::lock_guard<std::mutex> guard(lock);
		uint64_t one = 1;

		slots[request->cookie()].state = SlotState::Done;
		done.push_back(request);
		if (write(efd, &one, sizeof(one)) != sizeof(one))
			failed++;
	}

	void drain_fd()
	{
		uint64_t n;

		while (read(efd, &n, sizeof(n)) == sizeof(n))
			;
	}

	int queue(Slot &s)
	{
		s.request->reuse(Request::ReuseBuffers);
		s.state = SlotState::Queued;
		int ret = camera->queueRequest(s.request.get());
		if (ret < 0) {
			s.state = SlotState::Idle;
			failed++;
			return ogate_lc_fail(ret, "queueRequest: %s", strerror(-ret));
		}
		return 0;
	}

	void free_buffers()
	{
		for (auto &s : slots)
			if (s.map != MAP_FAILED)
				munmap(s.map, s.map_len);
		slots.clear();
		if (allocator && stream)
			allocator->free(stream);
		allocator.reset();
		stream = nullptr;
	}
};

namespace
{

int map_slot(Slot &s)
{
	const auto &planes = s.buffer->planes(); /* vector up to 0.5, Span from 0.6 */

	if (planes.size() < 1)
		return ogate_lc_fail(-EINVAL, "frame buffer without planes");
	const FrameBuffer::Plane &p = planes[0];
	size_t off = p.offset == FrameBuffer::Plane::kInvalidOffset ? 0 : p.offset;

	s.map_len = off + p.length;
	s.map = mmap(nullptr, s.map_len, PROT_READ, MAP_SHARED, p.fd.get(), 0);
	if (s.map == MAP_FAILED)
		return ogate_lc_fail(-errno, "mmap of %zu bytes: %s", s.map_len, strerror(errno));
	s.plane = static_cast<const uint8_t *>(s.map) + off;
	s.plane_len = p.length;
	return 0;
}

int setup_controls(ogate_lc_camera *c, const struct ogate_lc_config *cfg)
{
	const auto &camera = c->camera;

	c->start_controls = std::make_unique<ControlList>(camera->controls());
	ControlList &ctrls = *c->start_controls;

	if (cfg->exposure_us) {
		if (!has_control(camera, controls::ExposureTime))
			return ogate_lc_fail(-EOPNOTSUPP,
					     "exposure_us=%d: camera has no ExposureTime control",
					     cfg->exposure_us);
		ctrls.set(controls::ExposureTime, cfg->exposure_us);
#if LC_AT_LEAST(0, 5, 0)
		/* From 0.5 ExposureTime is ignored unless the mode is Manual. */
		if (has_control(camera, controls::ExposureTimeMode))
			ctrls.set(controls::ExposureTimeMode, controls::ExposureTimeModeManual);
#endif
	}
	if (cfg->analogue_gain != 0.0f) {
		if (!has_control(camera, controls::AnalogueGain))
			return ogate_lc_fail(-EOPNOTSUPP,
					     "analogue_gain=%g: camera has no AnalogueGain control",
					     (double)cfg->analogue_gain);
		ctrls.set(controls::AnalogueGain, cfg->analogue_gain);
#if LC_AT_LEAST(0, 5, 0)
		if (has_control(camera, controls::AnalogueGainMode))
			ctrls.set(controls::AnalogueGainMode, controls::AnalogueGainModeManual);
#endif
	}
#if !LC_AT_LEAST(0, 5, 0)
	/* Before 0.5, a fixed ExposureTime still lets AGC move the gain; with both
	 * fixed, switch AE off. */
	if (cfg->exposure_us && cfg->analogue_gain != 0.0f && has_control(camera, controls::AeEnable))
		ctrls.set(controls::AeEnable, false);
#endif
	if (cfg->frame_duration_us) {
		if (!has_control(camera, controls::FrameDurationLimits))
			return ogate_lc_fail(
				-EOPNOTSUPP,
				"frame_duration_us=%lld: camera has no FrameDurationLimits control",
				(long long)cfg->frame_duration_us);
		const int64_t limits[2] = { cfg->frame_duration_us, cfg->frame_duration_us };
		ctrls.set(controls::FrameDurationLimits, Span<const int64_t, 2>(limits));
	}
	if (cfg->roi.width) {
		if (!has_control(camera, controls::ScalerCrop))
			return ogate_lc_fail(-EOPNOTSUPP,
					     "roi=%d,%d %ux%u: camera has no ScalerCrop control",
					     cfg->roi.x, cfg->roi.y, cfg->roi.width, cfg->roi.height);
		ctrls.set(controls::ScalerCrop,
			  Rectangle(cfg->roi.x, cfg->roi.y, cfg->roi.width, cfg->roi.height));
	}
	return 0;
}

Transform wanted_transform(uint32_t flags)
{
	Transform t = Transform::Identity;

	if (flags & OGATE_LC_HFLIP)
		t = t | Transform::HFlip;
	if (flags & OGATE_LC_VFLIP)
		t = t | Transform::VFlip;
	return t;
}

int do_configure(ogate_lc_camera *c, const struct ogate_lc_config *cfg)
{
	int ret = ogate_lc_config_check(cfg);

	if (ret < 0)
		return ret;
	c->free_buffers();

#if LC_AT_LEAST(0, 1, 0)
	/* StreamRoles (a vector typedef) is gone; a Span of roles is taken. */
	const StreamRole roles[] = { StreamRole::VideoRecording };
	c->config = c->camera->generateConfiguration(roles);
#else
	c->config = c->camera->generateConfiguration(StreamRoles{ StreamRole::VideoRecording });
#endif
	if (!c->config || c->config->size() != 1)
		return ogate_lc_fail(-EINVAL, "camera %s: no single-stream configuration",
				     c->camera->id().c_str());
	StreamConfiguration &sc = c->config->at(0);

	/* the preferred format first, then the search order */
	std::vector<PixelFormat> offered = sc.formats().pixelformats();
	std::vector<const FormatMap *> order;
	for (const auto &m : format_order)
		if (m.fmt == cfg->format)
			order.push_back(&m);
	for (const auto &m : format_order)
		if (m.fmt != cfg->format)
			order.push_back(&m);
	const FormatMap *pick = nullptr;
	for (const FormatMap *m : order)
		if (std::find(offered.begin(), offered.end(), *m->pf) != offered.end()) {
			pick = m;
			break;
		}
	if (!pick) {
		std::string list;
		for (const auto &pf : offered)
			list += " " + pf.toString();
		return ogate_lc_fail(-ENOTSUP, "camera offers no 8-bit luma format (it offers:%s)",
				     list.c_str());
	}
	sc.pixelFormat = *pick->pf;
	if (cfg->width)
		sc.size = Size(cfg->width, cfg->height);
	sc.bufferCount = cfg->buffer_count ? cfg->buffer_count : OGATE_LC_DEFAULT_BUFFERS;

	const Transform want_t = wanted_transform(cfg->flags);
#if LC_AT_LEAST(0, 2, 0)
	/* 0.2 replaced CameraConfiguration::transform by orientation. */
	c->config->orientation = Orientation::Rotate0 * want_t;
#else
	c->config->transform = want_t;
#endif

	CameraConfiguration::Status st = c->config->validate();
	if (st == CameraConfiguration::Invalid)
		return ogate_lc_fail(-EINVAL, "camera rejected %ux%u %s", cfg->width, cfg->height,
				     pick->pf->toString().c_str());
	if (st == CameraConfiguration::Adjusted && !(cfg->flags & OGATE_LC_ALLOW_ADJUST)) {
		if (sc.pixelFormat != *pick->pf)
			return ogate_lc_fail(-EINVAL, "camera adjusted format %s to %s",
					     pick->pf->toString().c_str(),
					     sc.pixelFormat.toString().c_str());
		if (cfg->width && (sc.size.width != cfg->width || sc.size.height != cfg->height))
			return ogate_lc_fail(-EINVAL, "camera adjusted size %ux%u to %ux%u",
					     cfg->width, cfg->height, sc.size.width, sc.size.height);
#if LC_AT_LEAST(0, 2, 0)
		bool flip_ok = c->config->orientation == Orientation::Rotate0 * want_t;
#else
		bool flip_ok = c->config->transform == want_t;
#endif
		if (!flip_ok)
			return ogate_lc_fail(-EINVAL, "camera cannot apply flags=0x%x flips",
					     cfg->flags);
		/* a different buffer count is fine */
	}
	enum ogate_lc_format got = OGATE_LC_FMT_ANY;
	for (const auto &m : format_order)
		if (sc.pixelFormat == *m.pf)
			got = m.fmt;
	if (got == OGATE_LC_FMT_ANY)
		return ogate_lc_fail(-ENOTSUP, "camera switched to format %s without luma extraction",
				     sc.pixelFormat.toString().c_str());

	ret = c->camera->configure(c->config.get());
	if (ret < 0)
		return ogate_lc_fail(ret, "Camera::configure %ux%u %s: %s", sc.size.width,
				     sc.size.height, sc.pixelFormat.toString().c_str(),
				     strerror(-ret));
	ret = setup_controls(c, cfg);
	if (ret < 0)
		return ret;

	c->stream = sc.stream();
	c->allocator = std::make_unique<FrameBufferAllocator>(c->camera);
	ret = c->allocator->allocate(c->stream);
	if (ret < 0)
		return ogate_lc_fail(ret, "FrameBufferAllocator::allocate: %s", strerror(-ret));
	const auto &buffers = c->allocator->buffers(c->stream);
	c->slots.resize(buffers.size());
	for (size_t i = 0; i < buffers.size(); i++) {
		Slot &s = c->slots[i];

		s.buffer = buffers[i].get();
		s.request = c->camera->createRequest(i);
		if (!s.request)
			return ogate_lc_fail(-ENOMEM, "Camera::createRequest failed");
		ret = s.request->addBuffer(c->stream, s.buffer);
		if (ret < 0)
			return ogate_lc_fail(ret, "Request::addBuffer: %s", strerror(-ret));
		ret = map_slot(s);
		if (ret < 0)
			return ret;
		if (ogate_lc_format_bpp(got) == 3)
			s.grey.resize((size_t)sc.size.width * sc.size.height);
	}

	c->have = *cfg;
	c->have.width = sc.size.width;
	c->have.height = sc.size.height;
	c->have.format = got;
	c->have.buffer_count = (uint32_t)buffers.size();
	c->stride = sc.stride;
	return 0;
}

} /* namespace */

extern "C" {

const char *ogate_lc_version(void)
{
	return "libcamera " LC_STR(LIBCAMERA_VERSION_MAJOR) "." LC_STR(
		LIBCAMERA_VERSION_MINOR) "." LC_STR(LIBCAMERA_VERSION_PATCH);
}

int ogate_lc_list(struct ogate_lc_info *info, size_t max)
{
	int ret = manager_get();

	if (ret < 0)
		return ret;
	std::vector<std::shared_ptr<Camera>> cams = manager->cameras();
	for (size_t i = 0; i < cams.size() && i < max; i++) {
		snprintf(info[i].id, sizeof(info[i].id), "%s", cams[i]->id().c_str());
		info[i].model[0] = '\0';
		const auto model = cams[i]->properties().get(properties::Model);
		if (model)
			/* std::string up to 0.6, std::string_view from 0.7 */
			snprintf(info[i].model, sizeof(info[i].model), "%.*s", (int)model->size(),
				 model->data());
	}
	ret = (int)cams.size();
	cams.clear();
	manager_put();
	return ret;
}

void ogate_lc_close(struct ogate_lc_camera *c)
{
	if (!c)
		return;
	if (c->running.load()) {
		c->running = false;
		c->camera->stop();
	}
	c->free_buffers();
	c->config.reset();
	if (c->connected)
		c->camera->requestCompleted.disconnect(c);
	if (c->acquired)
		c->camera->release();
	bool had_camera = c->camera != nullptr;
	c->camera.reset();
	if (c->efd >= 0)
		close(c->efd);
	delete c;
	if (had_camera)
		manager_put();
}

int ogate_lc_open(struct ogate_lc_camera **out, const char *id, const struct ogate_lc_config *cfg)
{
	ogate_lc_clear_error();
	*out = nullptr;
	int ret = ogate_lc_config_check(cfg);
	if (ret < 0)
		return ret;
	ret = manager_get();
	if (ret < 0)
		return ret;

	std::shared_ptr<Camera> camera;
	if (id && *id) {
		camera = manager->get(id);
	} else {
		auto cams = manager->cameras();
		if (!cams.empty())
			camera = cams[0];
	}
	if (!camera) {
		manager_put();
		return ogate_lc_fail(-ENODEV, "no camera %s", id && *id ? id : "found");
	}

	ogate_lc_camera *c = new (std::nothrow) ogate_lc_camera;
	if (!c) {
		manager_put();
		return ogate_lc_fail(-ENOMEM, "out of memory");
	}
	/* c holds the only reference from here on: ogate_lc_close() drops it
	 * before the CameraManager is destroyed */
	c->camera = std::move(camera);
	c->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (c->efd < 0) {
		ret = ogate_lc_fail(-errno, "eventfd: %s", strerror(errno));
		goto fail;
	}
	ret = c->camera->acquire();
	if (ret < 0) {
		ret = ogate_lc_fail(ret, "camera %s in use: %s", c->camera->id().c_str(),
				    strerror(-ret));
		goto fail;
	}
	c->acquired = true;
	c->camera->requestCompleted.connect(c, &ogate_lc_camera::complete);
	c->connected = true;
	ret = do_configure(c, cfg);
	if (ret < 0)
		goto fail;
	*out = c;
	return 0;
fail : {
	std::string msg = ogate_lc_last_error();
	ogate_lc_close(c);
	ogate_lc_fail(ret, "%s", msg.c_str());
}
	return ret;
}

int ogate_lc_configure(struct ogate_lc_camera *c, const struct ogate_lc_config *cfg)
{
	ogate_lc_clear_error();
	if (c->running.load())
		return ogate_lc_fail(-EBUSY, "configure while running: stop first");
	if (c->held)
		return ogate_lc_fail(-EBUSY, "configure with %u frames held: release them first",
				     c->held);
	int ret = do_configure(c, cfg);
	if (ret < 0)
		c->free_buffers(); /* unusable until configured successfully */
	return ret;
}

int ogate_lc_start(struct ogate_lc_camera *c)
{
	ogate_lc_clear_error();
	if (c->running.load())
		return ogate_lc_fail(-EBUSY, "already started");
	if (!c->stream)
		return ogate_lc_fail(-EINVAL, "not configured (a previous configure failed)");
	c->seq = {};
	c->last_ts = 0;
	{
		std::lock_guard<std::mutex> guard(c->lock);
		c->done.clear();
		c->drain_fd();
	}
	int ret = c->camera->start(c->start_controls.get());
	if (ret < 0)
		return ogate_lc_fail(ret, "Camera::start: %s", strerror(-ret));
	c->running = true;
	for (auto &s : c->slots) {
		if (s.state != SlotState::Idle)
			continue;
		ret = c->queue(s);
		if (ret < 0) {
			std::string msg = ogate_lc_last_error();
			ogate_lc_stop(c);
			return ogate_lc_fail(ret, "%s", msg.c_str());
		}
	}
	return 0;
}

int ogate_lc_stop(struct ogate_lc_camera *c)
{
	if (!c->running.load())
		return 0;
	c->running = false;
	/* Blocks until every queued request has completed or been cancelled. */
	int ret = c->camera->stop();
	std::lock_guard<std::mutex> guard(c->lock);
	for (Request *r : c->done)
		c->slots[r->cookie()].state = SlotState::Idle;
	c->done.clear();
	c->drain_fd();
	if (ret < 0)
		return ogate_lc_fail(ret, "Camera::stop: %s", strerror(-ret));
	return 0;
}

int ogate_lc_fd(const struct ogate_lc_camera *c)
{
	return c->efd;
}

int ogate_lc_next(struct ogate_lc_camera *c, struct ogate_lc_frame *f)
{
	for (;;) {
		Request *req;
		{
			std::lock_guard<std::mutex> guard(c->lock);
			if (c->done.empty())
				return -EAGAIN;
			req = c->done.front();
			c->done.pop_front();
			if (c->done.empty())
				c->drain_fd();
		}
		Slot &s = c->slots[req->cookie()];
		const FrameMetadata &md = s.buffer->metadata();
		bool ok = req->status() == Request::RequestComplete &&
			  md.status == FrameMetadata::FrameSuccess;
#if LC_AT_LEAST(0, 5, 2)
		/* Startup frames carry an image taken before the controls settled. */
		ok = ok || (req->status() == Request::RequestComplete &&
			    md.status == FrameMetadata::FrameStartup);
#endif
		if (!ok) {
			c->failed++;
			s.state = SlotState::Idle;
			if (c->running.load())
				c->queue(s);
			continue;
		}

		/* Extend the 32-bit sensor sequence (it restarts at each start) and
		 * count the frames missing in it. */
		if (ogate_lc_seq_next(&c->seq, md.sequence, &f->sequence, &f->dropped_before))
			c->failed++;

		const ControlList &meta = req->metadata(); /* const-only from 0.7 */
		const auto ts = meta.get(controls::SensorTimestamp);
		f->timestamp_ns = ts ? *ts : (int64_t)md.timestamp;
		const auto fd = meta.get(controls::FrameDuration);
		f->frame_duration_us = fd ? *fd : -1;
		/* Pipelines that number only delivered frames (the Pi's ISP output)
		 * show drops as timestamp steps of several frame durations. */
		if (fd && c->last_ts) {
			uint32_t g = ogate_lc_ts_gap(c->last_ts, f->timestamp_ns, *fd * 1000);
			if (g > f->dropped_before)
				f->dropped_before = g;
		}
		c->last_ts = f->timestamp_ns;
		c->dropped += f->dropped_before;
		const auto exp = meta.get(controls::ExposureTime);
		f->exposure_us = exp ? *exp : -1;
		const auto gain = meta.get(controls::AnalogueGain);
		f->analogue_gain = gain ? *gain : 0.0f;
		f->format = c->have.format;

		struct ogate_lc_plane plane = { s.plane, s.plane_len, c->stride };
		struct ogate_lc_luma luma;
		int ret = ogate_lc_luma_extract(c->have.format, &plane, c->have.width,
						c->have.height, s.grey.data(), s.grey.size(), &luma);
		if (ret < 0) {
			c->failed++;
			s.state = SlotState::Idle;
			if (c->running.load())
				c->queue(s);
			return ret;
		}
		f->luma = luma.data;
		f->width = luma.width;
		f->height = luma.height;
		f->stride = luma.stride;
		f->cam_ = c;
		f->req_ = req;
		s.state = SlotState::Held;
		c->held++;
		c->frames++;
		return 0;
	}
}

void ogate_lc_release(struct ogate_lc_frame *f)
{
	ogate_lc_camera *c = f->cam_;

	if (!c || !f->req_)
		return;
	Slot &s = c->slots[static_cast<Request *>(f->req_)->cookie()];
	f->req_ = nullptr;
	f->luma = nullptr;
	if (s.state != SlotState::Held)
		return;
	c->held--;
	s.state = SlotState::Idle;
	if (c->running.load())
		c->queue(s); /* a failure is counted in stats.failed */
}

void ogate_lc_get_stats(const struct ogate_lc_camera *c, struct ogate_lc_stats *st)
{
	st->frames = c->frames;
	st->dropped = c->dropped;
	st->failed = c->failed.load();
}

void ogate_lc_get_config(const struct ogate_lc_camera *c, struct ogate_lc_config *cfg)
{
	*cfg = c->have;
}

} /* extern "C" */

// Vietnamese and English texts, t(), and re-translation of the page in
// place: an element rendered with data-i18n (and friends) is translated
// again when the language changes, so forms keep what was typed.

const STORE_KEY = 'tiemchung.lang';
export const LANGS = ['vi', 'en'];
const TIME_ZONE = 'Asia/Ho_Chi_Minh';

const vi = {
	'app.name': 'Tiêm chủng COVID-19',
	'app.tagline': 'Hệ thống quản lý tiêm chủng COVID-19 quốc gia',
	'lang.label': 'Ngôn ngữ',
	'lang.vi': 'Tiếng Việt',
	'lang.en': 'English',
	'skip': 'Bỏ qua, đến nội dung chính',
	'loading': 'Đang tải…',
	'retry': 'Thử lại',
	'none': '—',
	'unknown': 'chưa có số liệu',

	'login.title': 'Đăng nhập',
	'login.intro': 'Dành cho cán bộ y tế và nhân viên điểm tiêm.',
	'login.username': 'Tên đăng nhập',
	'login.password': 'Mật khẩu',
	'login.submit': 'Đăng nhập',
	'login.busy': 'Đang đăng nhập…',
	'login.expired': 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.',
	'login.loggedOut': 'Bạn đã đăng xuất.',
	'login.help': 'Quên mật khẩu? Liên hệ quản trị viên của đơn vị bạn.',

	'header.user': 'Tài khoản',
	'header.logout': 'Đăng xuất',
	'nav.label': 'Chức năng',
	'nav.overview': 'Tổng quan',
	'nav.units': 'Đơn vị hành chính',
	'nav.facilities': 'Cơ sở',
	'nav.users': 'Tài khoản cán bộ',
	'nav.audit': 'Nhật ký',
	'nav.overview.desc': 'Thông tin tài khoản, địa bàn và phiên làm việc.',
	'nav.units.desc': 'Tra cứu tỉnh/thành phố, quận/huyện, xã/phường và dân số.',
	'nav.facilities.desc': 'Kho vắc xin, trung tâm y tế và điểm tiêm trên địa bàn.',
	'nav.users.desc': 'Tạo tài khoản cán bộ, khóa và mở lại tài khoản.',
	'nav.audit.desc': 'Ai đã làm gì, khi nào, trên địa bàn của bạn.',

	'role.national_admin': 'Quản trị viên quốc gia',
	'role.province_health': 'Cán bộ Sở Y tế',
	'role.district_centre': 'Cán bộ Trung tâm Y tế quận/huyện',
	'role.site_manager': 'Quản lý điểm tiêm',
	'role.site_staff': 'Nhân viên điểm tiêm',
	'role.commune_officer': 'Cán bộ tổ công tác xã/phường',
	'role.mcc_agent': 'Nhân viên Trung tâm hỗ trợ (MCC)',
	'role.viewer': 'Người xem báo cáo',

	'kind.national_warehouse': 'Kho vắc xin quốc gia',
	'kind.provincial_warehouse': 'Kho vắc xin tỉnh',
	'kind.district_centre': 'Trung tâm Y tế quận/huyện',
	'kind.vaccination_site': 'Điểm tiêm chủng',

	'level.country': 'Quốc gia',
	'level.province': 'Tỉnh/Thành phố',
	'level.district': 'Quận/Huyện',
	'level.commune': 'Xã/Phường/Thị trấn',
	'level.facility': 'Cơ sở',
	'children.country': 'Tỉnh/thành phố',
	'children.province': 'Quận/huyện',
	'children.district': 'Xã/phường/thị trấn',

	'overview.title': 'Tổng quan',
	'overview.hello': 'Xin chào, {name}',
	'overview.account': 'Tài khoản của bạn',
	'overview.username': 'Tên đăng nhập',
	'overview.role': 'Vai trò',
	'overview.jurisdiction': 'Địa bàn',
	'overview.unitCode': 'Mã đơn vị',
	'overview.facilityId': 'Mã cơ sở',
	'overview.since': 'Tạo tài khoản',
	'overview.session': 'Phiên làm việc',
	'overview.expiresAt': 'Hết hạn lúc',
	'overview.idle': 'Tự đăng xuất khi không thao tác',
	'overview.idleValue': '{n} phút',
	'overview.pages': 'Chức năng',
	'overview.open': 'Mở',

	'units.title': 'Đơn vị hành chính',
	'units.breadcrumb': 'Cấp hành chính',
	'units.mine': 'Địa bàn của tôi',
	'units.filter': 'Tìm theo tên hoặc mã',
	'units.count': '{n} đơn vị',
	'units.code': 'Mã',
	'units.name': 'Tên',
	'units.population': 'Dân số',
	'units.populationTotal': 'Dân số: {n}',
	'units.noChildren': 'Đơn vị này không có đơn vị trực thuộc.',
	'units.noMatch': 'Không có đơn vị nào khớp với tìm kiếm.',
	'units.open': 'Xem {name}',
	'units.unknownNote': '— : chưa có số liệu dân số.',

	'fac.title': 'Cơ sở',
	'fac.kind': 'Loại cơ sở',
	'fac.allKinds': 'Tất cả các loại',
	'fac.name': 'Tên cơ sở',
	'fac.unit': 'Đơn vị hành chính',
	'fac.address': 'Địa chỉ',
	'fac.capacity': 'Công suất (mũi/ngày)',
	'fac.capacityShort': 'Mũi/ngày',
	'fac.status': 'Trạng thái',
	'fac.active': 'Đang hoạt động',
	'fac.closed': 'Đã đóng',
	'fac.empty': 'Chưa có cơ sở nào trên địa bàn.',
	'fac.count': '{n} cơ sở',
	'fac.more': 'Xem thêm',
	'fac.create': 'Thêm cơ sở',
	'fac.createTitle': 'Thêm cơ sở mới',
	'fac.chooseKind': '— Chọn loại cơ sở —',
	'fac.created': 'Đã thêm cơ sở “{name}”.',
	'fac.capacityHint': 'Bắt buộc với điểm tiêm chủng.',
	'fac.unitHint.national_warehouse': 'Kho quốc gia đặt ở cấp quốc gia.',
	'fac.unitHint.provincial_warehouse': 'Chọn tỉnh/thành phố.',
	'fac.unitHint.district_centre': 'Chọn đến quận/huyện.',
	'fac.unitHint.vaccination_site': 'Chọn quận/huyện hoặc xã/phường.',

	'users.title': 'Tài khoản cán bộ',
	'users.username': 'Tên đăng nhập',
	'users.role': 'Vai trò',
	'users.place': 'Địa bàn / cơ sở',
	'users.status': 'Trạng thái',
	'users.createdAt': 'Ngày tạo',
	'users.active': 'Đang hoạt động',
	'users.disabled': 'Đã khóa',
	'users.disable': 'Khóa',
	'users.enable': 'Mở khóa',
	'users.disableLabel': 'Khóa tài khoản {name}',
	'users.enableLabel': 'Mở khóa tài khoản {name}',
	'users.you': '(bạn)',
	'users.actions': 'Thao tác',
	'users.history': 'Nhật ký',
	'users.showPassword': 'Hiện mật khẩu',
	'users.confirmDisable': 'Khóa tài khoản “{name}”? Người này sẽ bị đăng xuất ngay.',
	'users.disabledDone': 'Đã khóa tài khoản “{name}”.',
	'users.enabledDone': 'Đã mở khóa tài khoản “{name}”.',
	'users.empty': 'Chưa có tài khoản nào.',
	'users.count': '{n} tài khoản',
	'users.more': 'Xem thêm',
	'users.filterRole': 'Lọc theo vai trò',
	'users.allRoles': 'Tất cả vai trò',
	'users.create': 'Tạo tài khoản',
	'users.createTitle': 'Tạo tài khoản mới',
	'users.password': 'Mật khẩu ban đầu',
	'users.passwordHint': 'Từ 10 đến 128 ký tự. Gửi riêng cho người dùng.',
	'users.usernameHint': 'Chữ thường a–z, số, dấu chấm, gạch dưới, gạch ngang; 3–64 ký tự.',
	'users.chooseRole': '— Chọn vai trò —',
	'users.attach': 'Gắn tài khoản với',
	'users.attachUnit': 'Đơn vị hành chính',
	'users.attachFacility': 'Cơ sở',
	'users.facility': 'Cơ sở',
	'users.chooseFacility': '— Chọn cơ sở —',
	'users.noFacilities': 'Không có cơ sở nào trên địa bàn.',
	'users.created': 'Đã tạo tài khoản “{name}”.',
	'users.roleHint.national_admin': 'Đặt ở cấp quốc gia.',
	'users.roleHint.province_health': 'Chọn tỉnh/thành phố.',
	'users.roleHint.district_centre': 'Chọn đến quận/huyện.',
	'users.roleHint.commune_officer': 'Chọn đến xã/phường.',
	'users.roleHint.mcc_agent': 'Cấp quốc gia, tỉnh hoặc quận/huyện.',
	'users.roleHint.viewer': 'Bất kỳ đơn vị hoặc cơ sở nào.',

	'picker.choose.province': '— Chọn tỉnh/thành phố —',
	'picker.choose.district': '— Chọn quận/huyện —',
	'picker.choose.commune': '— Chọn xã/phường/thị trấn —',
	'picker.optional': '(không bắt buộc)',

	'audit.title': 'Nhật ký hoạt động',
	'audit.at': 'Thời gian',
	'audit.actor': 'Người thực hiện',
	'audit.action': 'Hành động',
	'audit.entity': 'Đối tượng',
	'audit.entityAll': 'Tất cả đối tượng',
	'audit.id': 'Mã đối tượng',
	'audit.scope': 'Địa bàn',
	'audit.changes': 'Thay đổi',
	'audit.filter': 'Lọc',
	'audit.clear': 'Bỏ lọc',
	'audit.empty': 'Không có mục nào.',
	'audit.more': 'Xem thêm',
	'audit.details': 'Chi tiết',
	'audit.system': 'hệ thống',
	'audit.passwordChanged': 'Đổi mật khẩu',
	'audit.newest': 'Mới nhất ở trên.',
	'audit.action.login': 'Đăng nhập',
	'audit.action.logout': 'Đăng xuất',
	'audit.action.create': 'Tạo mới',
	'audit.action.update': 'Cập nhật',
	'audit.action.disable': 'Khóa',
	'audit.entity.session': 'Phiên đăng nhập',
	'audit.entity.user': 'Tài khoản',
	'audit.entity.facility': 'Cơ sở',

	'form.required': 'Bắt buộc',
	'form.save': 'Lưu',
	'form.cancel': 'Hủy',
	'form.saving': 'Đang lưu…',
	'form.fixBelow': 'Vui lòng sửa các mục được đánh dấu bên dưới.',
	'form.yes': 'Có',
	'form.no': 'Không',
	'form.optional': 'không bắt buộc',

	'check.required': 'Vui lòng nhập mục này.',
	'check.choose': 'Vui lòng chọn một mục.',
	'check.password': 'Mật khẩu phải dài từ 10 đến 128 ký tự.',
	'check.username': 'Tên đăng nhập chỉ gồm chữ thường a–z, số, “.”, “_”, “-” và dài 3–64 ký tự.',
	'check.capacity': 'Nhập một số nguyên từ 1 trở lên.',
	'check.name': 'Tên cần ít nhất 2 ký tự.',

	'err.network': 'Không kết nối được tới máy chủ. Kiểm tra mạng và thử lại.',
	'err.malformed_json': 'Yêu cầu không hợp lệ.',
	'err.not_an_object': 'Yêu cầu không hợp lệ.',
	'err.missing_field': 'Vui lòng nhập mục này.',
	'err.missing_field.unit': 'Vui lòng chọn đơn vị hoặc cơ sở.',
	'err.wrong_type': 'Giá trị có kiểu không đúng.',
	'err.unknown_field': 'Yêu cầu có mục không được hỗ trợ.',
	'err.invalid_field': 'Giá trị không hợp lệ.',
	'err.invalid_field.username': 'Tên đăng nhập chỉ gồm chữ thường a–z, số, “.”, “_”, “-” và dài 3–64 ký tự.',
	'err.invalid_field.password': 'Mật khẩu phải dài từ 10 đến 128 ký tự, không có ký tự điều khiển.',
	'err.invalid_field.unit': 'Đơn vị này không phù hợp với lựa chọn (sai cấp hành chính hoặc không tồn tại).',
	'err.invalid_field.facility': 'Cơ sở này không dùng được (không tồn tại hoặc đã đóng).',
	'err.invalid_field.daily_capacity': 'Điểm tiêm cần công suất từ 1 mũi/ngày trở lên.',
	'err.invalid_field.kind': 'Loại cơ sở không hợp lệ.',
	'err.invalid_field.role': 'Vai trò không hợp lệ.',
	'err.invalid_parameter': 'Tham số tìm kiếm không hợp lệ.',
	'err.invalid_parameter.entity': 'Hãy chọn loại đối tượng khi lọc theo mã.',
	'err.bad_request': 'Yêu cầu không hợp lệ.',
	'err.unauthenticated': 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.',
	'err.token_expired': 'Phiên đăng nhập đã hết hạn. Vui lòng đăng nhập lại.',
	'err.invalid_credentials': 'Sai tên đăng nhập hoặc mật khẩu.',
	'err.forbidden': 'Vai trò của bạn không được phép thực hiện việc này.',
	'err.forbidden.role': 'Bạn không thể cấp vai trò cao hơn vai trò của mình.',
	'err.forbidden.kind': 'Vai trò của bạn không được tạo loại cơ sở này.',
	'err.out_of_jurisdiction': 'Nằm ngoài địa bàn quản lý của bạn.',
	'err.not_found': 'Không tìm thấy.',
	'err.no_such_route': 'Không tìm thấy.',
	'err.method_not_allowed': 'Thao tác không được hỗ trợ.',
	'err.conflict': 'Bản ghi đã tồn tại.',
	'err.conflict.username': 'Tên đăng nhập này đã có người dùng.',
	'err.conflict.name': 'Đơn vị này đã có cơ sở cùng tên.',
	'err.body_too_large': 'Dữ liệu gửi lên quá lớn.',
	'err.unsupported_media_type': 'Yêu cầu không hợp lệ.',
	'err.rate_limited': 'Bạn đã thử quá nhiều lần. Vui lòng đợi rồi thử lại.',
	'err.internal_error': 'Máy chủ gặp lỗi. Vui lòng thử lại sau.',
	'err.database_error': 'Máy chủ gặp lỗi. Vui lòng thử lại sau.',
	'err.busy': 'Máy chủ đang bận. Vui lòng thử lại.',
	'err.unavailable': 'Dịch vụ tạm thời không sẵn sàng. Vui lòng thử lại sau.',
	'err.io_error': 'Máy chủ gặp lỗi. Vui lòng thử lại sau.',
	'err.schema_too_new': 'Máy chủ gặp lỗi cấu hình.',
	'err.schema_too_old': 'Máy chủ gặp lỗi cấu hình.',
	'err.unknown': 'Đã có lỗi xảy ra.',
	'err.serverSays': 'Máy chủ báo: {msg}',

	'login.citizenLink': 'Người dân: đăng ký tiêm và mã QR cá nhân',
	'login.citizenLinkHint': 'Không cần tài khoản: đăng nhập bằng số điện thoại.',

	'portal.short': 'Người dân',
	'portal.title': 'Đăng ký tiêm và mã QR cá nhân',
	'portal.intro': 'Đăng ký tiêm cho bản thân và người thân, rồi đưa mã QR cá nhân cho nhân viên điểm tiêm quét.',
	'portal.step1': 'Nhập số điện thoại di động của bạn.',
	'portal.step2': 'Nhập mã 6 số được gửi qua tin nhắn SMS.',
	'portal.step3': 'Đăng ký và xem mã QR của từng người trong gia đình.',
	'portal.phone': 'Số điện thoại di động',
	'portal.phonePlaceholder': 'Ví dụ: 0912 345 678',
	'portal.phoneHint': '10 chữ số, bắt đầu bằng 0. Cả gia đình có thể dùng chung một số.',
	'portal.sendCode': 'Nhận mã xác thực',
	'portal.staffLink': 'Cán bộ y tế, nhân viên điểm tiêm: đăng nhập tại đây',
	'portal.codeTitle': 'Nhập mã xác thực',
	'portal.codeSent': 'Mã 6 số đã được gửi qua SMS đến số {phone}. Mã có hiệu lực trong 5 phút.',
	'portal.code': 'Mã xác thực',
	'portal.codeHint': 'Nhập 6 chữ số trong tin nhắn. Không đưa mã này cho bất kỳ ai.',
	'portal.verify': 'Xác nhận',
	'portal.resend': 'Gửi lại mã',
	'portal.resendIn': 'Gửi lại mã sau {n} giây',
	'portal.changePhone': 'Đổi số điện thoại',
	'portal.resent': 'Đã gửi mã mới đến số {phone}. Mã cũ không dùng được nữa.',
	'portal.expired': 'Phiên làm việc đã hết hạn. Vui lòng nhận mã mới để tiếp tục.',
	'portal.loggedOut': 'Bạn đã đăng xuất.',
	'portal.householdTitle': 'Gia đình bạn',
	'portal.householdPhone': 'Những người đăng ký bằng số {phone}',
	'portal.noPeople': 'Chưa có ai đăng ký bằng số điện thoại này.',
	'portal.addSelf': 'Đăng ký tiêm cho bản thân',
	'portal.addFamily': 'Đăng ký thêm người thân',
	'portal.full': 'Mỗi số điện thoại đăng ký được tối đa 10 người.',
	'portal.householdNote': 'Thông tin sai hoặc thiếu? Hãy báo nhân viên điểm tiêm hoặc tổng đài hỗ trợ khi đi tiêm.',
	'portal.showQr': 'Xem mã QR',
	'portal.showQrFor': 'Xem mã QR của {name}',
	'portal.communeHint': 'Mã 5 chữ số của xã/phường nơi đang ở (có trên giấy tờ của xã/phường hoặc hỏi tổ dân phố), ví dụ 00001 là Phường Phúc Xá.',
	'portal.register': 'Đăng ký',
	'portal.registered': 'Đã đăng ký cho {name}. Đây là mã QR cá nhân.',
	'portal.docTaken': 'Số giấy tờ này đã được đăng ký. Nếu đó là của bạn, hãy mang giấy tờ đến điểm tiêm hoặc gọi tổng đài để được hỗ trợ.',
	'portal.back': '‹ Quay lại danh sách',
	'portal.registerTitle': 'Đăng ký tiêm',
	'portal.registerIntro': 'Cho bản thân hoặc người thân. Trẻ chưa có căn cước: chọn “Chưa có giấy tờ”.',
	'portal.qrTitle': 'Mã QR cá nhân',
	'portal.bornOn': 'Ngày sinh: {date}',
	'portal.qrAlt': 'Mã QR cá nhân của {name}',
	'portal.qrHowTo': 'Đưa mã này cho nhân viên điểm tiêm quét khi đến tiêm. Tăng độ sáng màn hình nếu máy quét khó đọc.',
	'portal.qrPrivate': 'Mã này thay cho giấy tờ của bạn tại điểm tiêm: không đăng ảnh mã lên mạng xã hội.',

	'person.fullName': 'Họ và tên',
	'person.fullNameHint': 'Viết đầy đủ, có dấu, như trên giấy tờ.',
	'person.birthDate': 'Ngày sinh',
	'person.birthHint': 'Ngày/tháng/năm, ví dụ 17/05/1990. Không nhớ ngày: chỉ nhập tháng/năm hoặc năm.',
	'person.birthPlaceholder': 'dd/mm/yyyy',
	'person.gender': 'Giới tính',
	'person.document': 'Giấy tờ',
	'person.idType': 'Loại giấy tờ',
	'person.idNumber': 'Số giấy tờ',
	'person.idNumberHint.cccd': '12 chữ số trên thẻ căn cước công dân.',
	'person.idNumberHint.cmnd': '9 chữ số (hoặc 12) trên chứng minh nhân dân.',
	'person.idNumberHint.passport': 'Chữ cái và chữ số trên hộ chiếu.',
	'person.idNumberHint.none': '',
	'person.nationality': 'Quốc tịch',
	'person.nationalityHint': 'Mã 2 chữ cái, ví dụ KR (Hàn Quốc), US (Hoa Kỳ).',
	'person.commune': 'Xã/phường nơi ở',
	'person.address': 'Địa chỉ',
	'person.addressHint': 'Số nhà, đường, tổ/thôn.',
	'person.phone': 'Số điện thoại',
	'person.phoneHint': 'Người dân dùng số này để xem mã QR.',
	'person.priority': 'Nhóm ưu tiên',
	'person.priorityNone': '— Không thuộc nhóm ưu tiên —',
	'person.priorityN': 'Nhóm {n}',
	'person.guardian': 'Người giám hộ',
	'person.guardianNone': '— Không chọn —',
	'person.guardianHint': 'Với trẻ dưới 18 tuổi: cha, mẹ hoặc người giám hộ đã đăng ký bằng số này.',
	'person.verification': 'Xác minh',
	'person.flags': 'Lưu ý',
	'person.source': 'Nguồn',
	'person.version': 'Phiên bản',
	'person.updatedAt': 'Cập nhật',
	'person.createdAt': 'Đăng ký lúc',

	'gender.label': 'Giới tính',
	'gender.male': 'Nam',
	'gender.female': 'Nữ',
	'idtype.cccd': 'Căn cước công dân (CCCD)',
	'idtype.cmnd': 'Chứng minh nhân dân (CMND)',
	'idtype.passport': 'Hộ chiếu (người nước ngoài)',
	'idtype.none': 'Chưa có giấy tờ (trẻ em)',
	'idtype.short.cccd': 'CCCD',
	'idtype.short.cmnd': 'CMND',
	'idtype.short.passport': 'Hộ chiếu',
	'flag.no_document': 'Chưa có giấy tờ',
	'flag.minor_without_guardian': 'Trẻ em chưa có người giám hộ',
	'flag.born_abroad': 'Đăng ký khai sinh ở nước ngoài',
	'verification.verified': 'Đã xác minh',
	'verification.unverified': 'Chưa xác minh',
	'source.staff': 'Cán bộ nhập',
	'source.self': 'Người dân tự đăng ký',
	'source.import': 'Nhập từ tệp',

	'check.nameDigits': 'Họ tên không được có chữ số.',
	'check.birthDate': 'Nhập ngày sinh dạng ngày/tháng/năm (17/05/1990), tháng/năm (05/1990) hoặc năm (1990).',
	'check.digits': 'Số giấy tờ chỉ gồm chữ số.',
	'check.needDocument': 'Người từ 14 tuổi trở lên cần có CCCD, CMND hoặc hộ chiếu.',
	'check.nationality': 'Nhập mã quốc gia gồm 2 chữ cái, ví dụ KR.',
	'check.code': 'Mã xác thực gồm đúng 6 chữ số.',
	'check.communeCode': 'Mã xã/phường gồm đúng 5 chữ số.',

	'err.invalid_field.qr': 'Không đọc được mã này. Hãy quét lại hoặc nhập số giấy tờ.',
	'err.invalid_field.commune_code': 'Mã xã/phường không đúng.',
	'err.invalid_field.phone': 'Số điện thoại di động không hợp lệ.',
	'err.invalid_field.code': 'Mã xác thực gồm đúng 6 chữ số trong tin nhắn SMS.',
	'err.invalid_credentials.code': 'Mã xác thực không đúng.',
	'err.rate_limited.code': 'Bạn đã nhập sai quá nhiều lần. Hãy bấm “Gửi lại mã” để nhận mã mới.',
	'err.rate_limited.phone': 'Bạn đã yêu cầu quá nhiều mã cho số này. Vui lòng thử lại sau 15 phút.',
	'err.conflict.version': 'Hồ sơ vừa được người khác thay đổi. Hãy tải lại hồ sơ rồi sửa lại.',
	'err.conflict.id_number': 'Đã có người đăng ký với số giấy tờ này.',
	'err.not_found.qr': 'Mã QR cá nhân này không còn hiệu lực (có thể đã được thay bằng mã mới).',
	'err.missing_field.commune_code': 'Vui lòng chọn xã/phường nơi ở.',
	'err.out_of_jurisdiction.commune_code': 'Xã/phường này nằm ngoài địa bàn quản lý của bạn.',

	'errmsg.codeExpired': 'Mã đã hết hạn hoặc đã được thay bằng mã mới. Hãy bấm “Gửi lại mã”.',
	'errmsg.cccdLength': 'Số CCCD có 12 chữ số (bạn đã nhập {n} chữ số).',
	'errmsg.cccdDigits': 'Số CCCD chỉ gồm chữ số.',
	'errmsg.cccdProvince': '{code} không phải mã tỉnh/thành phố: kiểm tra lại 3 chữ số đầu của số CCCD.',
	'errmsg.cccdGender': 'Chữ số thứ 4 của số CCCD không khớp với giới tính đã chọn.',
	'errmsg.cccdYear': 'Năm sinh không khớp với số CCCD (chữ số thứ 4 đến thứ 6).',
	'errmsg.cccdCentury': 'Chữ số thứ 4 của số CCCD không hợp lệ.',
	'errmsg.cmndLength': 'Số CMND có 9 chữ số (hoặc 12).',
	'errmsg.passport': 'Số hộ chiếu gồm 6–20 chữ cái và chữ số.',
	'errmsg.vnPassport': 'Công dân Việt Nam đăng ký bằng CCCD hoặc CMND, không dùng hộ chiếu.',
	'errmsg.needDocument': 'Người từ 14 tuổi trở lên cần có CCCD, CMND hoặc hộ chiếu.',
	'errmsg.noNumberForNone': 'Đã chọn “Chưa có giấy tờ” thì không nhập số.',
	'errmsg.needNumber': 'Vui lòng nhập số giấy tờ.',
	'errmsg.birthFuture': 'Ngày sinh không được ở tương lai.',
	'errmsg.birthOld': 'Ngày sinh trước năm 1900 là không hợp lý.',
	'errmsg.birthReal': 'Ngày này không có trong lịch.',
	'errmsg.birthShape': 'Nhập ngày sinh dạng ngày/tháng/năm, tháng/năm hoặc năm.',
	'errmsg.nameDigits': 'Họ tên không được có chữ số.',
	'errmsg.nameChars': 'Họ tên chỉ gồm chữ cái, dấu cách và các dấu . \' -',
	'errmsg.noCommune': 'Không có xã/phường nào có mã này.',
	'errmsg.notCommune': 'Đây là mã của tỉnh hoặc quận/huyện: hãy nhập mã xã/phường (5 chữ số).',
	'errmsg.notMobile': 'Không phải số di động: số di động bắt đầu bằng 03, 05, 07, 08 hoặc 09.',
	'errmsg.mobileLength': 'Số di động có 10 chữ số, bắt đầu bằng 0.',
	'errmsg.onlyVn': 'Chỉ nhận số điện thoại Việt Nam (+84).',
	'errmsg.phoneFull': 'Số điện thoại này đã đăng ký đủ 10 người.',
	'errmsg.guardianAdult': 'Người giám hộ phải từ 18 tuổi trở lên.',
	'errmsg.guardianHousehold': 'Người giám hộ phải là người đã đăng ký bằng số điện thoại này.',
	'errmsg.notScannable': 'Không phải mã QR cá nhân, mã QR trên thẻ CCCD hay số giấy tờ (9 hoặc 12 chữ số).',
};

// English has no per-field error texts: the server's own messages are
// English and more precise, so errorText() shows those.
const en = {
	'app.name': 'COVID-19 Vaccination',
	'app.tagline': 'National COVID-19 vaccination management',
	'lang.label': 'Language',
	'lang.vi': 'Tiếng Việt',
	'lang.en': 'English',
	'skip': 'Skip to main content',
	'loading': 'Loading…',
	'retry': 'Try again',
	'none': '—',
	'unknown': 'not known',

	'login.title': 'Log in',
	'login.intro': 'For health officers and vaccination site staff.',
	'login.username': 'Username',
	'login.password': 'Password',
	'login.submit': 'Log in',
	'login.busy': 'Logging in…',
	'login.expired': 'Your session has expired. Please log in again.',
	'login.loggedOut': 'You have logged out.',
	'login.help': 'Forgot your password? Ask your unit’s administrator.',

	'header.user': 'Account',
	'header.logout': 'Log out',
	'nav.label': 'Menu',
	'nav.overview': 'Overview',
	'nav.units': 'Administrative units',
	'nav.facilities': 'Facilities',
	'nav.users': 'Staff accounts',
	'nav.audit': 'Audit log',
	'nav.overview.desc': 'Your account, jurisdiction and session.',
	'nav.units.desc': 'Provinces, districts, communes and their population.',
	'nav.facilities.desc': 'Vaccine warehouses, health centres and vaccination sites.',
	'nav.users.desc': 'Create staff accounts, disable and enable them.',
	'nav.audit.desc': 'Who did what, and when, in your jurisdiction.',

	'role.national_admin': 'National administrator',
	'role.province_health': 'Provincial health officer',
	'role.district_centre': 'District health centre officer',
	'role.site_manager': 'Vaccination site manager',
	'role.site_staff': 'Vaccination site staff',
	'role.commune_officer': 'Commune officer',
	'role.mcc_agent': 'Response centre (MCC) agent',
	'role.viewer': 'Report viewer',

	'kind.national_warehouse': 'National vaccine warehouse',
	'kind.provincial_warehouse': 'Provincial vaccine warehouse',
	'kind.district_centre': 'District health centre',
	'kind.vaccination_site': 'Vaccination site',

	'level.country': 'Country',
	'level.province': 'Province/City',
	'level.district': 'District',
	'level.commune': 'Commune/Ward',
	'level.facility': 'Facility',
	'children.country': 'Provinces and cities',
	'children.province': 'Districts',
	'children.district': 'Communes and wards',

	'overview.title': 'Overview',
	'overview.hello': 'Hello, {name}',
	'overview.account': 'Your account',
	'overview.username': 'Username',
	'overview.role': 'Role',
	'overview.jurisdiction': 'Jurisdiction',
	'overview.unitCode': 'Unit code',
	'overview.facilityId': 'Facility number',
	'overview.since': 'Account created',
	'overview.session': 'Session',
	'overview.expiresAt': 'Expires at',
	'overview.idle': 'Logs out when idle for',
	'overview.idleValue': '{n} minutes',
	'overview.pages': 'What you can do',
	'overview.open': 'Open',

	'units.title': 'Administrative units',
	'units.breadcrumb': 'Administrative levels',
	'units.mine': 'My jurisdiction',
	'units.filter': 'Search by name or code',
	'units.count': '{n} units',
	'units.code': 'Code',
	'units.name': 'Name',
	'units.population': 'Population',
	'units.populationTotal': 'Population: {n}',
	'units.noChildren': 'This unit has no units below it.',
	'units.noMatch': 'No unit matches the search.',
	'units.open': 'Open {name}',
	'units.unknownNote': '— : population not known.',

	'fac.title': 'Facilities',
	'fac.kind': 'Kind of facility',
	'fac.allKinds': 'All kinds',
	'fac.name': 'Facility name',
	'fac.unit': 'Administrative unit',
	'fac.address': 'Address',
	'fac.capacity': 'Capacity (doses a day)',
	'fac.capacityShort': 'Doses/day',
	'fac.status': 'Status',
	'fac.active': 'Open',
	'fac.closed': 'Closed',
	'fac.empty': 'No facilities in your jurisdiction yet.',
	'fac.count': '{n} facilities',
	'fac.more': 'Show more',
	'fac.create': 'Add a facility',
	'fac.createTitle': 'Add a new facility',
	'fac.chooseKind': '— Choose a kind —',
	'fac.created': 'Facility “{name}” added.',
	'fac.capacityHint': 'Required for vaccination sites.',
	'fac.unitHint.national_warehouse': 'The national warehouse belongs to the country.',
	'fac.unitHint.provincial_warehouse': 'Choose a province.',
	'fac.unitHint.district_centre': 'Choose down to a district.',
	'fac.unitHint.vaccination_site': 'Choose a district or a commune.',

	'users.title': 'Staff accounts',
	'users.username': 'Username',
	'users.role': 'Role',
	'users.place': 'Jurisdiction / facility',
	'users.status': 'Status',
	'users.createdAt': 'Created',
	'users.active': 'Active',
	'users.disabled': 'Disabled',
	'users.disable': 'Disable',
	'users.enable': 'Enable',
	'users.disableLabel': 'Disable account {name}',
	'users.enableLabel': 'Enable account {name}',
	'users.you': '(you)',
	'users.actions': 'Actions',
	'users.history': 'History',
	'users.showPassword': 'Show password',
	'users.confirmDisable': 'Disable the account “{name}”? It is logged out at once.',
	'users.disabledDone': 'Account “{name}” disabled.',
	'users.enabledDone': 'Account “{name}” enabled.',
	'users.empty': 'No accounts yet.',
	'users.count': '{n} accounts',
	'users.more': 'Show more',
	'users.filterRole': 'Filter by role',
	'users.allRoles': 'All roles',
	'users.create': 'Create account',
	'users.createTitle': 'Create a new account',
	'users.password': 'Initial password',
	'users.passwordHint': '10 to 128 characters. Hand it to the person privately.',
	'users.usernameHint': 'Lower-case a–z, digits, dot, underscore, hyphen; 3–64 characters.',
	'users.chooseRole': '— Choose a role —',
	'users.attach': 'Attach the account to',
	'users.attachUnit': 'An administrative unit',
	'users.attachFacility': 'A facility',
	'users.facility': 'Facility',
	'users.chooseFacility': '— Choose a facility —',
	'users.noFacilities': 'No facilities in your jurisdiction.',
	'users.created': 'Account “{name}” created.',
	'users.roleHint.national_admin': 'Belongs to the country.',
	'users.roleHint.province_health': 'Choose a province.',
	'users.roleHint.district_centre': 'Choose down to a district.',
	'users.roleHint.commune_officer': 'Choose down to a commune.',
	'users.roleHint.mcc_agent': 'The country, a province or a district.',
	'users.roleHint.viewer': 'Any unit or facility.',

	'picker.choose.province': '— Choose a province —',
	'picker.choose.district': '— Choose a district —',
	'picker.choose.commune': '— Choose a commune —',
	'picker.optional': '(optional)',

	'audit.title': 'Audit log',
	'audit.at': 'Time',
	'audit.actor': 'By',
	'audit.action': 'Action',
	'audit.entity': 'Record',
	'audit.entityAll': 'All records',
	'audit.id': 'Record id',
	'audit.scope': 'Jurisdiction',
	'audit.changes': 'Changes',
	'audit.filter': 'Filter',
	'audit.clear': 'Clear',
	'audit.empty': 'No entries.',
	'audit.more': 'Show more',
	'audit.details': 'Details',
	'audit.system': 'system',
	'audit.passwordChanged': 'Password changed',
	'audit.newest': 'Newest first.',
	'audit.action.login': 'Log in',
	'audit.action.logout': 'Log out',
	'audit.action.create': 'Create',
	'audit.action.update': 'Update',
	'audit.action.disable': 'Disable',
	'audit.entity.session': 'Session',
	'audit.entity.user': 'Account',
	'audit.entity.facility': 'Facility',

	'form.required': 'Required',
	'form.save': 'Save',
	'form.cancel': 'Cancel',
	'form.saving': 'Saving…',
	'form.fixBelow': 'Please correct the marked fields below.',
	'form.yes': 'Yes',
	'form.no': 'No',
	'form.optional': 'optional',

	'check.required': 'Please fill in this field.',
	'check.choose': 'Please choose one.',
	'check.password': 'The password must be 10 to 128 characters long.',
	'check.username': 'Use only lower-case a–z, digits, “.”, “_” and “-”, 3 to 64 characters.',
	'check.capacity': 'Enter a whole number of 1 or more.',
	'check.name': 'The name needs at least 2 characters.',

	'err.network': 'Cannot reach the server. Check the network and try again.',
	'err.malformed_json': 'The request was not valid.',
	'err.not_an_object': 'The request was not valid.',
	'err.missing_field': 'Please fill in this field.',
	'err.missing_field.unit': 'Please choose a unit or a facility.',
	'err.wrong_type': 'This value has the wrong type.',
	'err.unknown_field': 'The request has a field that is not supported.',
	'err.invalid_field': 'This value is not valid.',
	'err.invalid_parameter': 'A search parameter is not valid.',
	'err.invalid_parameter.entity': 'Choose the kind of record when filtering by id.',
	'err.bad_request': 'The request was not valid.',
	'err.unauthenticated': 'Your session has expired. Please log in again.',
	'err.token_expired': 'Your session has expired. Please log in again.',
	'err.invalid_credentials': 'Wrong username or password.',
	'err.forbidden': 'Your role may not do this.',
	'err.out_of_jurisdiction': 'This lies outside your jurisdiction.',
	'err.not_found': 'Not found.',
	'err.no_such_route': 'Not found.',
	'err.method_not_allowed': 'This action is not supported.',
	'err.conflict': 'The record already exists.',
	'err.conflict.username': 'That username is already taken.',
	'err.conflict.name': 'A facility of that name already exists in that unit.',
	'err.body_too_large': 'Too much data was sent.',
	'err.unsupported_media_type': 'The request was not valid.',
	'err.rate_limited': 'Too many attempts. Please wait and try again.',
	'err.internal_error': 'The server failed. Please try again later.',
	'err.database_error': 'The server failed. Please try again later.',
	'err.busy': 'The server is busy. Please try again.',
	'err.unavailable': 'The service is unavailable. Please try again later.',
	'err.io_error': 'The server failed. Please try again later.',
	'err.schema_too_new': 'The server is misconfigured.',
	'err.schema_too_old': 'The server is misconfigured.',
	'err.unknown': 'Something went wrong.',
	'err.serverSays': 'The server says: {msg}',

	'login.citizenLink': 'Citizens: register for vaccination and get your personal QR',
	'login.citizenLinkHint': 'No account needed: sign in with your phone number.',

	'portal.short': 'Citizens',
	'portal.title': 'Vaccination registration and personal QR',
	'portal.intro': 'Register yourself and your family, then show the personal QR code to the staff at the vaccination site.',
	'portal.step1': 'Enter your mobile phone number.',
	'portal.step2': 'Enter the 6-digit code sent to you by SMS.',
	'portal.step3': 'Register and see the QR code of each person in your family.',
	'portal.phone': 'Mobile phone number',
	'portal.phonePlaceholder': 'For example 0912 345 678',
	'portal.phoneHint': '10 digits starting with 0. A whole family may share one number.',
	'portal.sendCode': 'Send me a code',
	'portal.staffLink': 'Health and vaccination site staff: log in here',
	'portal.codeTitle': 'Enter the code',
	'portal.codeSent': 'A 6-digit code was sent by SMS to {phone}. It is valid for 5 minutes.',
	'portal.code': 'Code',
	'portal.codeHint': 'The 6 digits in the message. Never give this code to anyone.',
	'portal.verify': 'Confirm',
	'portal.resend': 'Send a new code',
	'portal.resendIn': 'Send a new code in {n} s',
	'portal.changePhone': 'Use another phone number',
	'portal.resent': 'A new code was sent to {phone}. The old one no longer works.',
	'portal.expired': 'Your session has ended. Ask for a new code to continue.',
	'portal.loggedOut': 'You have logged out.',
	'portal.householdTitle': 'Your family',
	'portal.householdPhone': 'People registered with {phone}',
	'portal.noPeople': 'Nobody is registered with this phone number yet.',
	'portal.addSelf': 'Register yourself for vaccination',
	'portal.addFamily': 'Register a family member',
	'portal.full': 'One phone number registers at most 10 people.',
	'portal.householdNote': 'Something wrong or missing? Tell the vaccination site staff or the hotline.',
	'portal.showQr': 'Show QR code',
	'portal.showQrFor': 'Show the QR code of {name}',
	'portal.communeHint': 'The 5-digit code of the commune or ward where the person lives (ask the commune office or your neighbourhood group); 00001 is Phúc Xá ward, for example.',
	'portal.register': 'Register',
	'portal.registered': '{name} is registered. This is the personal QR code.',
	'portal.docTaken': 'This document number is already registered. If it is yours, bring the document to the site or call the hotline.',
	'portal.back': '‹ Back to the list',
	'portal.registerTitle': 'Register for vaccination',
	'portal.registerIntro': 'Yourself or a family member. A child without an ID card: choose “No document yet”.',
	'portal.qrTitle': 'Personal QR code',
	'portal.bornOn': 'Born: {date}',
	'portal.qrAlt': 'Personal QR code of {name}',
	'portal.qrHowTo': 'Show this code to the site staff when you come to be vaccinated. Turn the screen brightness up if the scanner struggles.',
	'portal.qrPrivate': 'This code stands for your documents at the site: do not post pictures of it.',

	'person.fullName': 'Full name',
	'person.fullNameHint': 'In full, with diacritics, as on the document.',
	'person.birthDate': 'Date of birth',
	'person.birthHint': 'Day/month/year, such as 17/05/1990. If the day is not known: month/year or the year alone.',
	'person.birthPlaceholder': 'dd/mm/yyyy',
	'person.gender': 'Gender',
	'person.document': 'Document',
	'person.idType': 'Kind of document',
	'person.idNumber': 'Document number',
	'person.idNumberHint.cccd': 'The 12 digits on the citizen identity card.',
	'person.idNumberHint.cmnd': 'The 9 digits (or 12) on the old identity card.',
	'person.idNumberHint.passport': 'Letters and digits as in the passport.',
	'person.idNumberHint.none': '',
	'person.nationality': 'Nationality',
	'person.nationalityHint': 'Two-letter code, such as KR or US.',
	'person.commune': 'Commune or ward of residence',
	'person.address': 'Address',
	'person.addressHint': 'House number, street, hamlet.',
	'person.phone': 'Phone number',
	'person.phoneHint': 'The person uses this number to see the QR code.',
	'person.priority': 'Priority group',
	'person.priorityNone': '— Not in a priority group —',
	'person.priorityN': 'Group {n}',
	'person.guardian': 'Guardian',
	'person.guardianNone': '— None —',
	'person.guardianHint': 'For a child under 18: a parent or guardian registered with this number.',
	'person.verification': 'Verification',
	'person.flags': 'Notes',
	'person.source': 'Source',
	'person.version': 'Version',
	'person.updatedAt': 'Updated',
	'person.createdAt': 'Registered',

	'gender.label': 'Gender',
	'gender.male': 'Male',
	'gender.female': 'Female',
	'idtype.cccd': 'Citizen identity card (CCCD)',
	'idtype.cmnd': 'Old identity card (CMND)',
	'idtype.passport': 'Passport (foreigners)',
	'idtype.none': 'No document yet (child)',
	'idtype.short.cccd': 'CCCD',
	'idtype.short.cmnd': 'CMND',
	'idtype.short.passport': 'Passport',
	'flag.no_document': 'No document',
	'flag.minor_without_guardian': 'Child without a guardian',
	'flag.born_abroad': 'Birth registered abroad',
	'verification.verified': 'Verified',
	'verification.unverified': 'Not verified',
	'source.staff': 'Entered by staff',
	'source.self': 'Registered by the citizen',
	'source.import': 'Imported',

	'check.nameDigits': 'A name cannot contain digits.',
	'check.birthDate': 'Write the date of birth as 17/05/1990, 05/1990 or 1990.',
	'check.digits': 'The number holds only digits.',
	'check.needDocument': 'A person aged 14 or more needs a CCCD, CMND or passport.',
	'check.nationality': 'Enter a two-letter country code such as KR.',
	'check.code': 'The code is exactly 6 digits.',
	'check.communeCode': 'The commune code is exactly 5 digits.',
	'err.rate_limited.phone': 'Too many codes were asked for this number. Please try again in 15 minutes.',
};

const dicts = { vi, en };

function initialLang() {
	try {
		const saved = localStorage.getItem(STORE_KEY);
		if (LANGS.includes(saved))
			return saved;
	} catch (e) {
		// storage may be off; Vietnamese is the default
	}
	return 'vi';
}

let lang = initialLang();
const listeners = [];

export function getLang() {
	return lang;
}

export function has(key) {
	return key in dicts[lang];
}

// t('overview.hello', {name: 'hanoi'}): the text in the current language,
// falling back to Vietnamese, then to the key itself.
export function t(key, args) {
	let s = dicts[lang][key] ?? vi[key] ?? key;
	if (args)
		s = s.replace(/\{(\w+)\}/g, (m, k) => (k in args ? fmtArg(args[k]) : m));
	return s;
}

function fmtArg(v) {
	return typeof v === 'number' ? fmtNum(v) : String(v);
}

export function setLang(next) {
	if (!LANGS.includes(next) || next === lang)
		return;
	lang = next;
	try {
		localStorage.setItem(STORE_KEY, next);
	} catch (e) {
		// not remembered, still switched
	}
	applyI18n(document);
	for (const fn of listeners)
		fn(lang);
}

export function onLangChange(fn) {
	listeners.push(fn);
}

export function fmtNum(n) {
	return new Intl.NumberFormat(lang === 'vi' ? 'vi-VN' : 'en-GB').format(n);
}

const timeFormat = new Intl.DateTimeFormat('en-GB', {
	year: 'numeric', month: '2-digit', day: '2-digit',
	hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
	timeZone: TIME_ZONE,
});

// "23/11/2026 08:05" in both languages, in Vietnam's time zone wherever
// the browser is (vi-VN's own format puts the time first).
export function fmtTime(iso) {
	const d = new Date(iso);
	if (Number.isNaN(d.getTime()))
		return iso;
	const p = {};
	for (const part of timeFormat.formatToParts(d))
		p[part.type] = part.value;
	return `${p.day}/${p.month}/${p.year} ${p.hour}:${p.minute}`;
}

// The text for an API error: by code and field, by code, else the
// server's own (English) message.
// The server's English messages that say more than their code, and the
// Vietnamese text for each (the captures fill the text's {names}).
const MESSAGES = [
	[/^no valid code for this phone/, 'errmsg.codeExpired'],
	[/^a CCCD number has 12 digits, not (?<n>\d+)/, 'errmsg.cccdLength'],
	[/^a CCCD number holds only digits/, 'errmsg.cccdDigits'],
	[/^(?<code>\d{3}) is not a province code/, 'errmsg.cccdProvince'],
	[/^the 4th digit of a CCCD number says/, 'errmsg.cccdGender'],
	[/^the 4th digit of a CCCD number \(\d\) stands for/, 'errmsg.cccdCentury'],
	[/CCCD number .*birth year|says born in/, 'errmsg.cccdYear'],
	[/^a CMND number/, 'errmsg.cmndLength'],
	[/^a passport number/, 'errmsg.passport'],
	[/^a Vietnamese citizen identifies with/, 'errmsg.vnPassport'],
	[/^a person aged 14 or more needs a document/, 'errmsg.needDocument'],
	[/^a person without a document has no number/, 'errmsg.noNumberForNone'],
	[/^a .* needs its number/, 'errmsg.needNumber'],
	[/^the birth date is in the future/, 'errmsg.birthFuture'],
	[/^a birth date before 1900/, 'errmsg.birthOld'],
	[/^not a real date/, 'errmsg.birthReal'],
	[/^not a date:/, 'errmsg.birthShape'],
	[/^a name cannot hold digits/, 'errmsg.nameDigits'],
	[/^a name holds only letters/, 'errmsg.nameChars'],
	[/^no commune has that code/, 'errmsg.noCommune'],
	[/^give the code of a commune/, 'errmsg.notCommune'],
	[/^not a mobile number/, 'errmsg.notMobile'],
	[/^a mobile number has 10 digits/, 'errmsg.mobileLength'],
	[/^only Vietnamese numbers/, 'errmsg.onlyVn'],
	[/^this phone already has 10 people/, 'errmsg.phoneFull'],
	[/^the guardian must be an adult/, 'errmsg.guardianAdult'],
	[/^the guardian must be registered with this phone/, 'errmsg.guardianHousehold'],
	[/^not a personal QR code, a CCCD card/, 'errmsg.notScannable'],
];

export function errorText(code, field, message) {
	if (lang === 'vi' && message) {
		for (const [re, key] of MESSAGES) {
			const m = re.exec(message);
			if (m)
				return t(key, m.groups);
		}
	}
	if (field && has(`err.${code}.${field}`))
		return t(`err.${code}.${field}`);
	if (lang === 'en' && message)
		return message;
	if (has(`err.${code}`))
		return t(`err.${code}`);
	return message || t('err.unknown');
}

const ATTRS = [
	['i18nPlaceholder', 'placeholder'],
	['i18nTitle', 'title'],
	['i18nAriaLabel', 'aria-label'],
	['i18nLabel', 'data-label'],
];

function translate(el) {
	const d = el.dataset;
	const args = d.i18nArgs ? JSON.parse(d.i18nArgs) : undefined;
	if (d.i18n)
		el.textContent = t(d.i18n, args);
	for (const [k, attr] of ATTRS)
		if (d[k])
			el.setAttribute(attr, t(d[k], args));
	if (d.time)
		el.textContent = fmtTime(d.time);
	if (d.num)
		el.textContent = fmtNum(Number(d.num));
	if (d.errCode)
		el.textContent = errorText(d.errCode, d.errField, d.errMsg);
}

const SELECTOR = '[data-i18n],[data-i18n-placeholder],[data-i18n-title],' +
	'[data-i18n-aria-label],[data-i18n-label],[data-time],[data-num],[data-err-code]';

export function applyI18n(root) {
	if (root === document) {
		document.documentElement.lang = lang;
		document.title = t('app.name');
	}
	if (root.matches && root.matches(SELECTOR))
		translate(root);
	for (const el of root.querySelectorAll(SELECTOR))
		translate(el);
}
